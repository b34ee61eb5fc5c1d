import { type AttributeValue, canonicalAttributeValue, caseInsensitiveAttributes } from '../profiles/attribute-catalog';
import type { IdentityType } from '../profiles/identity';
import {
  type CompareOp,
  durationMs,
  type EventCondition,
  eventMatchesTypes,
  type PropertyFilter,
  type Scalar,
  type SegmentExpr,
} from './segment-ast';
import { ageRange, birthdayCutoff, checkComparable, compareNumbers, lastSeenOps } from './segment-semantics';
import { SegmentMeaningError } from './segments.errors';
import { segmentsText } from './segments.messages';
import { ownValue } from '../util/own-value';

/** What the evaluator needs to know about one profile. */
export interface ProfileFacts {
  tags: ReadonlySet<string>;
  attributes: Readonly<Record<string, AttributeValue>>;
  identityTypes: ReadonlySet<IdentityType>;
  /** Follow state by official account name. */
  subscriptions: ReadonlyMap<string, boolean>;
  lastSeenAt: Date | null;
  firstTouch: { source: string | null; channel: string | null };
  /** The frozen segments (by id) whose static lists hold the profile. */
  frozenSegments: ReadonlySet<number>;
  /** Points per score group (decay applied); the total is their sum. */
  scores: ReadonlyMap<string, number>;
  /** What an `event:` term measures of the profile's events, their count or sum (fetched for the whole expression at once). */
  eventCount(term: EventTerm): number;
}

export type EventTerm = EventCondition;

/** A stored event, for counting in memory. */
export interface FactEvent {
  type: string;
  /** Who recorded it: `persona` for Persona's own records, which `event:any` leaves out. */
  source: string;
  occurredAt: Date;
  properties: Readonly<Record<string, unknown>>;
}

/**
 * Decides an expression for one profile, with exactly the meaning the SQL compiler gives it (a property test keeps
 * the two in step). Segment references must be resolved first (resolveSegmentRefs).
 */
export function evaluateSegment(expr: SegmentExpr, facts: ProfileFacts, now: Date): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.items.every((item) => evaluateSegment(item, facts, now));
    case 'or':
      return expr.items.some((item) => evaluateSegment(item, facts, now));
    case 'not':
      return !evaluateSegment(expr.item, facts, now);
    case 'tag':
      return facts.tags.has(expr.name);
    case 'lifecycle':
      return facts.tags.has(`lifecycle/${expr.stage}`);
    case 'has':
      return facts.identityTypes.has(expr.identity);
    case 'subscribed':
      return facts.subscriptions.get(expr.account ?? 'default') === true;
    case 'field':
      return matchesField(facts, expr.field, expr.op, expr.value, now);
    case 'fieldIn':
      return expr.values.some((value) => matchesField(facts, expr.field, '=', value, now));
    case 'lastSeen': {
      if (!(lastSeenOps as readonly string[]).includes(expr.op))
        throw new SegmentMeaningError(segmentsText('segment.meaning.lastSeenOp', { op: expr.op }));
      if (!facts.lastSeenAt) return expr.op === '>' || expr.op === '>=';
      return compareNumbers(now.getTime() - facts.lastSeenAt.getTime(), expr.op, durationMs(expr.ago));
    }
    case 'event':
      for (const filter of expr.filters) checkComparable(filter.property, filter.op, filter.value);
      return compareNumbers(facts.eventCount(expr), expr.op, expr.count);
    case 'score': {
      const points =
        expr.group === null
          ? [...facts.scores.values()].reduce((sum, value) => sum + value, 0)
          : (facts.scores.get(expr.group) ?? 0);
      return compareNumbers(points, expr.op, expr.value);
    }
    case 'frozenList':
      return facts.frozenSegments.has(expr.segmentId);
    case 'segment':
      throw new SegmentMeaningError(segmentsText('segment.meaning.unresolvedForEvaluation', { name: expr.name }));
  }
}

/**
 * What an `event:` term measures of the events it matches, in memory (events the caller already holds): how many, or
 * the sum of the property it names (an event without a finite number there adds nothing).
 */
export function countEvents(events: readonly FactEvent[], term: EventTerm, now: Date): number {
  const since = term.window ? now.getTime() - durationMs(term.window) : Number.NEGATIVE_INFINITY;
  let measure = 0;
  for (const event of events) {
    if (!eventMatchesTypes(term, event.type, event.source) || event.occurredAt.getTime() < since) continue;
    if (!term.filters.every((filter) => matchesProperty(ownValue(event.properties, filter.property), filter))) continue;
    if (term.sum === null) {
      measure += 1;
    } else {
      const value = ownValue(event.properties, term.sum);
      if (typeof value === 'number' && Number.isFinite(value)) measure += value;
    }
  }
  return measure;
}

function matchesField(facts: ProfileFacts, field: string, op: CompareOp, value: Scalar, now: Date): boolean {
  if (field === 'age' || field === 'ageBand') {
    const range = ageRange(op === '!=' ? '=' : op, value);
    const birthday = facts.attributes.birthday;
    let matches: boolean;
    if (typeof birthday === 'string') {
      matches =
        (range.from === null || birthday <= birthdayCutoff(range.from, now)) &&
        (range.until === null || birthday > birthdayCutoff(range.until, now));
    } else {
      matches = typeof value === 'string' && facts.attributes.ageBand === value;
    }
    return op === '!=' ? !matches : matches;
  }
  checkComparable(field, op, value);
  if (field === 'source' || field === 'channel') {
    const held = facts.firstTouch[field];
    const equal = held !== null && held === String(value);
    return op === '=' ? equal : !equal;
  }
  const name = field.startsWith('attr.') ? field.slice('attr.'.length) : field;
  const held = ownValue(facts.attributes, name);
  if (op === '=' || op === '!=') {
    const equal =
      held !== undefined &&
      (caseInsensitiveAttributes.has(name) && typeof held === 'string' && typeof value === 'string'
        ? held.toLowerCase() === value.toLowerCase()
        : held === canonicalAttributeValue(name, value));
    return op === '=' ? equal : !equal;
  }
  return typeof held === 'number' && compareNumbers(held, op, value as number);
}

/** Typed like the SQL: text and booleans equal exactly, numbers compare by value; `!=` includes "not there". */
/** Whether properties pass every filter, with the meaning event filters have in segments (`channel=website, topic=sports`). */
export function matchesFilters(
  properties: Readonly<Record<string, unknown>>,
  filters: readonly PropertyFilter[],
): boolean {
  return filters.every((filter) => {
    checkComparable(filter.property, filter.op, filter.value);
    return matchesProperty(ownValue(properties, filter.property), filter);
  });
}

function matchesProperty(held: unknown, filter: PropertyFilter): boolean {
  let matches: boolean;
  if (typeof filter.value === 'number')
    matches = typeof held === 'number' && compareNumbers(held, filter.op === '!=' ? '=' : filter.op, filter.value);
  else matches = held === filter.value;
  return filter.op === '!=' ? !matches : matches;
}
