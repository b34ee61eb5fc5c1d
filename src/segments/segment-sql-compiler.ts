import { canonicalAttributeValue, caseInsensitiveAttributes } from '../profiles/attribute-catalog';
import type { Dialect } from '../db/database';
import { chainTerms } from '../db/sql-limits';
import { propertyKey } from '../timeline/event-property-index';
import {
  type CompareOp,
  type Duration,
  durationMs,
  type EventCondition,
  personaEventSource,
  type PropertyFilter,
  type Scalar,
  type SegmentExpr,
} from './segment-ast';
import {
  ageRange,
  birthdayCutoff,
  checkComparable,
  compareNumbers,
  lastSeenOps,
  resolveSegmentRefs,
  type SegmentLookup,
} from './segment-semantics';
import { SegmentMeaningError } from './segments.errors';
import { segmentsText } from './segments.messages';
import { ownValue } from '../util/own-value';
import { liveProfileCondition } from '../profiles/live-profile';

/**
 * A WHERE clause over `profiles p`, with its values to bind by name (`:s0`, `:s1`…; never a value in the text), so
 * it combines with a caller's own named replacements.
 */
export interface CompiledSegment {
  sql: string;
  values: Record<string, unknown>;
}

export interface CompileContext {
  dialect: Dialect;
  /** "Now" for windows and recency: injected so a count and its check agree on the instant. */
  now: Date;
  /** Saved segments by name, for `segment:<name>`. */
  segments?: SegmentLookup;
}

/** Columns of `profiles` that fields name directly; every other field is an attribute. */
const profileColumns: Record<string, string> = { source: 'p.first_touch_source', channel: 'p.first_touch_channel' };

/**
 * Compiles an expression to one predicate on `profiles p`, for `SELECT … FROM profiles p WHERE <live> AND (<sql>)`.
 * Each term is membership in a set of profile ids that one index range answers without visiting table rows
 * (`p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = …)`): tags by (name, profile), attributes by (name,
 * indexed value, profile), identities by (type, profile), followers by (account, state, profile), scores by (group,
 * points, profile), events by (type, occurred_at, profile). Being uncorrelated, a set can drive the count (the
 * database starts from the smallest one of an AND) or be probed; recency and first touch are read from the profile
 * row itself.
 */
export async function compileSegment(expr: SegmentExpr, context: CompileContext): Promise<CompiledSegment> {
  const resolved = await resolveSegmentRefs(expr, context.segments);
  const values: Record<string, unknown> = {};
  const sql = new SqlWriter(context, values).write(resolved);
  return { sql, values };
}

/** The longest stored JSON text an attribute's indexed `value_key` holds (see migration segment-indexes). */
const indexedValueLength = 191;

/** The live profiles (not merged into another, not erased): what every segment counts from. */
/** Live profiles as the segments read model reads them (`profiles p`): the profiles room's own definition. */
export const liveProfiles = liveProfileCondition('p');

class SqlWriter {
  constructor(
    private readonly context: CompileContext,
    private readonly values: Record<string, unknown>,
  ) {}

  /** A named placeholder for one value: the text can be assembled in any order. */
  private bind(value: unknown): string {
    const name = `s${Object.keys(this.values).length}`;
    this.values[name] = value;
    return `:${name}`;
  }

  private get mysql(): boolean {
    return this.context.dialect === 'mysql';
  }

  /** Text compares byte for byte on both databases (MySQL's default collations ignore case and accents). */
  private get collateBinary(): string {
    return this.mysql ? ' COLLATE utf8mb4_bin' : '';
  }

  write(expr: SegmentExpr): string {
    switch (expr.kind) {
      case 'and':
        return chainTerms(
          expr.items.map((item) => this.write(item)),
          'AND',
        );
      case 'or':
        return chainTerms(
          expr.items.map((item) => this.write(item)),
          'OR',
        );
      case 'not':
        return `NOT ${this.write(expr.item)}`;
      case 'tag':
        return this.member(`SELECT t.profile_id FROM tags t WHERE t.name = ${this.bind(expr.name)}`);
      case 'lifecycle':
        return this.member(`SELECT t.profile_id FROM tags t WHERE t.name = ${this.bind(`lifecycle/${expr.stage}`)}`);
      case 'has':
        return this.member(`SELECT i.profile_id FROM identities i WHERE i.type = ${this.bind(expr.identity)}`);
      case 'subscribed':
        return this.member(
          `SELECT s.profile_id FROM subscriptions s WHERE s.account = ${this.bind(expr.account ?? 'default')} AND s.subscribed = ${this.bind(1)}`,
        );
      case 'field':
        return this.field(expr.field, expr.op, expr.value);
      case 'fieldIn':
        return chainTerms(
          expr.values.map((value) => this.field(expr.field, '=', value)),
          'OR',
        );
      case 'lastSeen':
        return this.lastSeen(expr.op, expr.ago);
      case 'event':
        return this.event(expr);
      case 'score':
        // A profile without a row for a group has 0 in it.
        if (expr.group === null)
          return this.compared(
            'SUM(sc.points)',
            expr.op,
            expr.value,
            (test) => `SELECT sc.profile_id FROM scores sc GROUP BY sc.profile_id HAVING ${test}`,
          );
        return this.compared(
          'sc.points',
          expr.op,
          expr.value,
          (test) => `SELECT sc.profile_id FROM scores sc WHERE sc.score_group = ${this.bind(expr.group)} AND ${test}`,
        );
      case 'frozenList':
        return this.member(
          `SELECT m.profile_id FROM segment_members m WHERE m.segment_id = ${this.bind(expr.segmentId)}`,
        );
      case 'segment':
        // resolveSegmentRefs inlined every reference before writing.
        throw new SegmentMeaningError(segmentsText('segment.meaning.unresolved', { name: expr.name }));
    }
  }

  /** Membership in a set of profile ids; never NULL (ids are never NULL), so it negates safely. */
  private member(ids: string): string {
    return `p.id IN (${ids})`;
  }

  /**
   * `<value> <op> <than>` for a number each profile has once (a score, an event count) and that is 0 for profiles
   * without rows: `ids(test)` selects the profiles whose rows pass `test`. When 0 passes, the answer is the complement
   * of the profiles that fail, so profiles without rows are counted without needing one each.
   */
  private compared(value: string, op: CompareOp, than: number, ids: (test: string) => string): string {
    const condition = `${value} ${op} ${this.bind(than)}`;
    return compareNumbers(0, op, than) ? `NOT ${this.member(ids(`NOT (${condition})`))}` : this.member(ids(condition));
  }

  /**
   * `city:Shanghai`, `attr.vip = true`, `attr.level >= 2`: typed comparisons on the attribute's stored JSON. Equality
   * compares text and booleans exactly (bytes, on both databases); orderings compare numbers, and only numbers. A
   * negation (`!=`) also matches profiles without the attribute.
   */
  private field(field: string, op: CompareOp, value: Scalar): string {
    if (field === 'age' || field === 'ageBand') return this.age(op, value);
    checkComparable(field, op, value);
    const column = ownValue(profileColumns, field);
    if (column) {
      // Two-valued on purpose: a NULL inside NOT would drop the profile instead of matching it.
      const exact = `(${column} IS NOT NULL AND ${column}${this.collateBinary} = ${this.bind(String(value))})`;
      return op === '=' ? exact : `NOT ${exact}`;
    }
    const name = field.startsWith('attr.') ? field.slice('attr.'.length) : field;
    if ((op === '=' || op === '!=') && caseInsensitiveAttributes.has(name) && typeof value === 'string') {
      // Lower-cased on both sides: no index, but these are rarely asked and never large (a person's own words).
      const equal = this.attribute(name, `LOWER(a.value) = ${this.bind(JSON.stringify(value.toLowerCase()))}`);
      return op === '=' ? equal : `NOT ${equal}`;
    }
    if (op === '=' || op === '!=') {
      const equal = this.attribute(name, this.storedAs(JSON.stringify(canonicalAttributeValue(name, value))));
      return op === '=' ? equal : `NOT ${equal}`;
    }
    return this.attribute(name, `a.value_number ${op} ${this.bind(value)}`);
  }

  /** The profiles whose attribute `name` satisfies `condition` (on `a`). */
  private attribute(name: string, condition: string): string {
    return this.member(`SELECT a.profile_id FROM attributes a WHERE a.name = ${this.bind(name)} AND ${condition}`);
  }

  /** An attribute's stored JSON text equals `json`: through the indexed `value_key` unless it is too long for it. */
  private storedAs(json: string): string {
    return json.length <= indexedValueLength
      ? `a.value_key = ${this.bind(json)}`
      : `a.value_key IS NULL AND a.value${this.collateBinary} = ${this.bind(json)}`;
  }

  /**
   * Age from the birthday, compared as dates (`YYYY-MM-DD` sorts like the date): at least `from` years old is born on
   * or before the cutoff. A band also matches a profile that has no birthday but a stated `ageBand`.
   */
  private age(op: CompareOp, value: Scalar): string {
    const range = ageRange(op === '!=' ? '=' : op, value);
    const bounds: string[] = [];
    if (range.from !== null)
      bounds.push(`a.value_key <= ${this.bind(JSON.stringify(birthdayCutoff(range.from, this.context.now)))}`);
    if (range.until !== null)
      bounds.push(`a.value_key > ${this.bind(JSON.stringify(birthdayCutoff(range.until, this.context.now)))}`);
    let matches = this.attribute('birthday', bounds.length > 0 ? bounds.join(' AND ') : 'a.value_key IS NOT NULL');
    if (typeof value === 'string') {
      const stated = this.attribute('ageBand', this.storedAs(JSON.stringify(value)));
      matches = `(${matches} OR (NOT ${this.member(`SELECT a.profile_id FROM attributes a WHERE a.name = ${this.bind('birthday')}`)} AND ${stated}))`;
    }
    return op === '!=' ? `NOT ${matches}` : matches;
  }

  /** Recency: `last_seen < 7d` is seen within 7 days; never seen counts as longer ago than anything. */
  private lastSeen(op: CompareOp, ago: Duration): string {
    if (!(lastSeenOps as readonly string[]).includes(op))
      throw new SegmentMeaningError(segmentsText('segment.meaning.lastSeenOp', { op }));
    const cutoff = new Date(this.context.now.getTime() - durationMs(ago));
    const flipped = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' }[op as '<' | '<=' | '>' | '>='];
    const compare = `p.last_seen_at ${flipped} ${this.bind(cutoff)}`;
    return op === '<' || op === '<='
      ? `(p.last_seen_at IS NOT NULL AND ${compare})`
      : `(p.last_seen_at IS NULL OR ${compare})`;
  }

  /**
   * The profiles with so many events of the types in the window whose properties pass the filters (or whose `sum`
   * property adds up so). With an equality or ordering filter, the event property index drives: one range of (type,
   * property, value, time); further filters are checked by (event, property). A sum without one is driven by the
   * summed property's own index rows, which hold everything it needs; with one, it joins them. With neither, the
   * events index (type, time) does; `any` reads the events by time, leaving out Persona's own records. An event
   * without a number in the summed property adds nothing.
   */
  private event(condition: EventCondition): string {
    const { filters, op, count, window } = condition;
    for (const filter of filters) checkComparable(filter.property, filter.op, filter.value);
    const since = window ? this.bind(new Date(this.context.now.getTime() - durationMs(window))) : null;
    const driver = condition.types === 'any' ? undefined : filters.find((filter) => filter.op !== '!=');
    const bySum = condition.sum !== null && driver === undefined && condition.types !== 'any';
    const [table, alias, eventId] = driver
      ? ['event_properties', 'ep', 'ep.event_id']
      : bySum
        ? ['event_properties', 's', 's.event_id']
        : ['events', 'e', 'e.id'];
    const conditions = [this.eventTypes(alias, condition.types)];
    if (driver) conditions.push(`${alias}.name = ${this.bind(driver.property)}`, this.propertyValue(alias, driver));
    if (since) conditions.push(`${alias}.occurred_at >= ${since}`);
    for (const filter of filters) if (filter !== driver) conditions.push(this.otherProperty(eventId, filter));
    if (condition.sum !== null) {
      const summed = `s.name = ${this.bind(condition.sum)} AND s.value_number IS NOT NULL`;
      const from = bySum
        ? `${table} ${alias}`
        : `${table} ${alias} JOIN event_properties s ON s.event_id = ${eventId} AND ${summed}`;
      if (bySum) conditions.push(summed);
      const select = `SELECT ${alias}.profile_id FROM ${from} WHERE ${conditions.join(' AND ')}`;
      return this.compared(
        'SUM(s.value_number)',
        op,
        count,
        (test) => `${select} GROUP BY ${alias}.profile_id HAVING ${test}`,
      );
    }
    const select = `SELECT ${alias}.profile_id FROM ${table} ${alias} WHERE ${conditions.join(' AND ')}`;
    // "At least once" needs no count: the profiles with any such event.
    if (op === '>=' && count === 1) return this.member(select);
    return this.compared('COUNT(*)', op, count, (test) => `${select} GROUP BY ${alias}.profile_id HAVING ${test}`);
  }

  /** The event types a condition counts, on the row `alias` (`any`: all but Persona's own records, on `events`). */
  private eventTypes(alias: string, types: EventCondition['types']): string {
    if (types === 'any') return `${alias}.source <> ${this.bind(personaEventSource)}`;
    return types.length === 1
      ? `${alias}.type = ${this.bind(types[0])}`
      : `${alias}.type IN (${types.map((type) => this.bind(type)).join(', ')})`;
  }

  /**
   * An index row (`alias`) holds a value the filter accepts, typed like the attributes: text and booleans by their
   * JSON text, numbers by value. `!=` is tested as `=` and negated by the caller.
   */
  private propertyValue(alias: string, filter: PropertyFilter): string {
    const op = filter.op === '!=' ? '=' : filter.op;
    if (typeof filter.value === 'number') return `${alias}.value_number ${op} ${this.bind(filter.value)}`;
    return `${alias}.value_key = ${this.bind(propertyKey(filter.value))}`;
  }

  /** A filter checked on one event by its index rows; `!=` also accepts events without the property. */
  private otherProperty(eventId: string, filter: PropertyFilter): string {
    const matches = `EXISTS (SELECT 1 FROM event_properties q WHERE q.event_id = ${eventId} AND q.name = ${this.bind(filter.property)} AND ${this.propertyValue('q', filter)})`;
    return filter.op === '!=' ? `NOT ${matches}` : matches;
  }
}
