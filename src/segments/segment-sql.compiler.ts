import type { Dialect } from '../db/database';
import { type CompareOp, type Duration, durationMs, type PropertyFilter, type Scalar, type SegmentExpr } from './segment-ast';
import { ageRange, birthdayCutoff, checkComparable, lastSeenOps, resolveSegmentRefs, SegmentMeaningError, type SegmentLookup } from './segment-semantics';

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
 * Each term is an indexed lookup: tag membership by (profile, name), attributes by (profile, name), identities by
 * profile, event counts by (profile, occurred_at) with the type and property filters, recency on the profile row.
 */
export async function compileSegment(expr: SegmentExpr, context: CompileContext): Promise<CompiledSegment> {
  const resolved = await resolveSegmentRefs(expr, context.segments);
  const values: Record<string, unknown> = {};
  const sql = new SqlWriter(context, values).write(resolved);
  return { sql, values };
}

/** The live profiles (not merged into another, not erased): what every segment counts from. */
export const liveProfiles = 'p.merged_into IS NULL AND p.erased_at IS NULL';

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
        return `(${expr.items.map((item) => this.write(item)).join(' AND ')})`;
      case 'or':
        return `(${expr.items.map((item) => this.write(item)).join(' OR ')})`;
      case 'not':
        return `NOT ${this.write(expr.item)}`;
      case 'tag':
        return `EXISTS (SELECT 1 FROM tags t WHERE t.profile_id = p.id AND t.name = ${this.bind(expr.name)})`;
      case 'lifecycle':
        return `EXISTS (SELECT 1 FROM tags t WHERE t.profile_id = p.id AND t.name = ${this.bind(`lifecycle/${expr.stage}`)})`;
      case 'has':
        return `EXISTS (SELECT 1 FROM identities i WHERE i.profile_id = p.id AND i.type = ${this.bind(expr.identity)})`;
      case 'subscribed':
        return `EXISTS (SELECT 1 FROM subscriptions s WHERE s.profile_id = p.id AND s.account = ${this.bind(expr.account ?? 'default')} AND s.subscribed = ${this.bind(1)})`;
      case 'field':
        return this.field(expr.field, expr.op, expr.value);
      case 'fieldIn':
        return `(${expr.values.map((value) => this.field(expr.field, '=', value)).join(' OR ')})`;
      case 'lastSeen':
        return this.lastSeen(expr.op, expr.ago);
      case 'event':
        return this.event(expr.type, expr.filters, expr.op, expr.count, expr.window);
      case 'score': {
        const points =
          expr.group === null
            ? '(SELECT SUM(sc.points) FROM scores sc WHERE sc.profile_id = p.id)'
            : `(SELECT sc.points FROM scores sc WHERE sc.profile_id = p.id AND sc.score_group = ${this.bind(expr.group)})`;
        return `COALESCE(${points}, 0) ${expr.op} ${this.bind(expr.value)}`;
      }
      case 'segment':
        // resolveSegmentRefs inlined every reference before writing.
        throw new SegmentMeaningError(`segment:${expr.name} was not resolved`);
    }
  }

  /**
   * `city:Shanghai`, `attr.vip = true`, `attr.level >= 2`: typed comparisons on the attribute's stored JSON. Equality
   * compares text and booleans exactly (bytes, on both databases); orderings compare numbers, and only numbers. A
   * negation (`!=`) also matches profiles without the attribute.
   */
  private field(field: string, op: CompareOp, value: Scalar): string {
    if (field === 'age' || field === 'ageBand') return this.age(op, value);
    checkComparable(field, op, value);
    const column = profileColumns[field];
    if (column) {
      // Two-valued on purpose: a NULL inside NOT would drop the profile instead of matching it.
      const exact = `(${column} IS NOT NULL AND ${column}${this.collateBinary} = ${this.bind(String(value))})`;
      return op === '=' ? exact : `NOT ${exact}`;
    }
    const name = field.startsWith('attr.') ? field.slice('attr.'.length) : field;
    const has = `SELECT 1 FROM attributes a WHERE a.profile_id = p.id AND a.name = ${this.bind(name)}`;
    if (op === '=' || op === '!=') {
      const equal = `EXISTS (${has} AND a.value${this.collateBinary} = ${this.bind(JSON.stringify(value))})`;
      return op === '=' ? equal : `NOT ${equal}`;
    }
    // A JSON number is text that starts with a digit or a minus sign.
    const number = this.mysql ? 'CAST(a.value AS DECIMAL(30, 6))' : 'CAST(a.value AS REAL)';
    const isNumber = `(SUBSTR(a.value, 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))`;
    return `EXISTS (${has} AND ${isNumber} AND ${number} ${op} ${this.bind(value)})`;
  }

  /**
   * Age from the birthday, compared as dates (`YYYY-MM-DD` sorts like the date): at least `from` years old is born on
   * or before the cutoff. A band also matches a profile that has no birthday but a stated `ageBand`.
   */
  private age(op: CompareOp, value: Scalar): string {
    const range = ageRange(op === '!=' ? '=' : op, value);
    const bounds: string[] = [];
    if (range.from !== null) bounds.push(`a.value <= ${this.bind(JSON.stringify(birthdayCutoff(range.from, this.context.now)))}`);
    if (range.until !== null) bounds.push(`a.value > ${this.bind(JSON.stringify(birthdayCutoff(range.until, this.context.now)))}`);
    const birthday = `SELECT 1 FROM attributes a WHERE a.profile_id = p.id AND a.name = ${this.bind('birthday')}`;
    let matches = `EXISTS (${birthday}${bounds.map((bound) => ` AND ${bound}`).join('')})`;
    if (typeof value === 'string') {
      const stated = `EXISTS (SELECT 1 FROM attributes a WHERE a.profile_id = p.id AND a.name = ${this.bind('ageBand')} AND a.value = ${this.bind(JSON.stringify(value))})`;
      matches = `(${matches} OR (NOT EXISTS (SELECT 1 FROM attributes a WHERE a.profile_id = p.id AND a.name = ${this.bind('birthday')}) AND ${stated}))`;
    }
    return op === '!=' ? `NOT ${matches}` : matches;
  }

  /** Recency: `last_seen < 7d` is seen within 7 days; never seen counts as longer ago than anything. */
  private lastSeen(op: CompareOp, ago: Duration): string {
    if (!(lastSeenOps as readonly string[]).includes(op)) throw new SegmentMeaningError(`last_seen compares with <, <=, > or >=, not ${op}`);
    const cutoff = new Date(this.context.now.getTime() - durationMs(ago));
    const flipped = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' }[op as '<' | '<=' | '>' | '>='];
    const compare = `p.last_seen_at ${flipped} ${this.bind(cutoff)}`;
    return op === '<' || op === '<=' ? `(p.last_seen_at IS NOT NULL AND ${compare})` : `(p.last_seen_at IS NULL OR ${compare})`;
  }

  private event(type: string, filters: PropertyFilter[], op: CompareOp, count: number, window: Duration | null): string {
    const conditions = [`e.profile_id = p.id`, `e.type = ${this.bind(type)}`];
    if (window) conditions.push(`e.occurred_at >= ${this.bind(new Date(this.context.now.getTime() - durationMs(window)))}`);
    for (const filter of filters) conditions.push(this.propertyFilter(filter));
    const counted = `(SELECT COUNT(*) FROM events e WHERE ${conditions.join(' AND ')})`;
    // "At least once" needs no count: EXISTS stops at the first event.
    if (op === '>=' && count === 1) return `EXISTS (SELECT 1 FROM events e WHERE ${conditions.join(' AND ')})`;
    return `${counted} ${op} ${this.bind(count)}`;
  }

  /** A condition on one event property, typed like the attributes: text and booleans exactly, numbers by value. */
  private propertyFilter(filter: PropertyFilter): string {
    checkComparable(filter.property, filter.op, filter.value);
    const path = `$.${filter.property}`;
    const kind = typeof filter.value === 'string' ? 'text' : typeof filter.value === 'boolean' ? 'boolean' : 'number';
    // The property's JSON type, then its value as text (MySQL) or as an SQL value (SQLite), in that order.
    const typeSql = this.mysql ? `JSON_TYPE(JSON_EXTRACT(e.properties, ${this.bind(path)}))` : `json_type(e.properties, ${this.bind(path)})`;
    const types = this.mysql
      ? { text: "('STRING')", boolean: "('BOOLEAN')", number: "('INTEGER', 'DOUBLE', 'DECIMAL', 'UNSIGNED INTEGER')" }[kind]
      : { text: "('text')", boolean: "('true', 'false')", number: "('integer', 'real')" }[kind];
    const valueSql = this.mysql ? `JSON_UNQUOTE(JSON_EXTRACT(e.properties, ${this.bind(path)}))` : `json_extract(e.properties, ${this.bind(path)})`;
    let compared: string;
    if (kind === 'number') {
      compared = `${this.mysql ? `CAST(${valueSql} AS DECIMAL(30, 6))` : valueSql} ${filter.op === '!=' ? '=' : filter.op} ${this.bind(filter.value)}`;
    } else if (kind === 'boolean') {
      // MySQL reads true/false as text; SQLite's json_extract gives 1/0.
      compared = `${valueSql} = ${this.bind(this.mysql ? String(filter.value) : filter.value ? 1 : 0)}`;
    } else {
      compared = `${valueSql}${this.collateBinary} = ${this.bind(filter.value)}`;
    }
    return this.negatable(filter.op, `${typeSql} IN ${types} AND ${compared}`);
  }

  /** `!=` on a property is "not equal to it", which includes events without the property. */
  private negatable(op: CompareOp, matches: string): string {
    return op === '!=' ? `NOT COALESCE((${matches}), FALSE)` : `COALESCE((${matches}), FALSE)`;
  }
}
