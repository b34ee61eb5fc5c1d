import type { IdentityType } from '../profiles/identity';
import { personaEventSource } from '../timeline/persona-event-types';
import { propertyNamePattern } from '../timeline/event-property-index';

/** The expression language's tree: what a segment, a tag rule or a push audience says, parsed once. */
export type SegmentExpr =
  | { kind: 'and'; items: SegmentExpr[] }
  | { kind: 'or'; items: SegmentExpr[] }
  | { kind: 'not'; item: SegmentExpr }
  | { kind: 'tag'; name: string }
  | { kind: 'lifecycle'; stage: LifecycleStage }
  | { kind: 'score'; group: string | null; op: CompareOp; value: number }
  | { kind: 'field'; field: string; op: CompareOp; value: Scalar }
  | { kind: 'fieldIn'; field: string; values: Scalar[] }
  | { kind: 'subscribed'; account: string | null }
  | { kind: 'has'; identity: IdentityType }
  | EventCondition
  | { kind: 'lastSeen'; op: CompareOp; ago: Duration }
  | { kind: 'segment'; name: string }
  /** A frozen segment's static list: what `segment:<name>` resolves to once the segment is frozen (never parsed). */
  | { kind: 'frozenList'; name: string; segmentId: number };

/**
 * `event:article_view[topic=sports] >= 3 in 30d`, `event:(purchase, deal_won) sum(amount) >= 100000 in 365d`,
 * `event:any >= 20 in 30d`: how many events of the types (or their `sum` of a numeric property) in the window, whose
 * properties pass the filters. `any` is every event but Persona's own records (tag, score and lifecycle changes,
 * merges): what people and outside systems did.
 */
export interface EventCondition {
  kind: 'event';
  types: readonly string[] | 'any';
  filters: PropertyFilter[];
  /** The numeric property summed instead of counting events; null: counted. */
  sum: string | null;
  op: CompareOp;
  /** The count (or sum) compared with. */
  count: number;
  window: Duration | null;
}

/** The source of the events Persona records about its own doing (tag_added, score_crossed…): not interactions. */
export { personaEventSource, propertyNamePattern };

/** Whether an event of `type` from `source` is one an `event:` condition counts. */
export function eventMatchesTypes(condition: EventCondition, type: string, source: string): boolean {
  return condition.types === 'any' ? source !== personaEventSource : condition.types.includes(type);
}

export type Scalar = string | number | boolean;

export const compareOps = ['=', '!=', '>', '>=', '<', '<='] as const;
export type CompareOp = (typeof compareOps)[number];

export const lifecycleStages = ['potential', 'new', 'active', 'dormant', 'churned'] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];

/** `30d`: a rolling window or an age, in hours, days or weeks. */
export interface Duration {
  amount: number;
  unit: 'h' | 'd' | 'w';
}

/** `[topic=sports]`, `[amount>=10000]`: a condition on an event's properties. */
export interface PropertyFilter {
  property: string;
  op: CompareOp;
  value: Scalar;
}

/**
 * Fields written `name:value` / `name in (…)` / `name >= value`: profile columns (first-touch `source` and
 * `channel`) and the known attributes. Any other attribute is `attr.<name>`.
 */
export const shorthandFields = [
  'city',
  'province',
  'country',
  'gender',
  'language',
  'age',
  'ageBand',
  'company',
  'title',
  'source',
  'channel',
] as const;

export function durationMs(duration: Duration): number {
  const hour = 60 * 60 * 1000;
  return duration.amount * { h: hour, d: 24 * hour, w: 7 * 24 * hour }[duration.unit];
}

/** A condition of an expression: anything but AND, OR and NOT. */
export type SegmentTerm = Exclude<SegmentExpr, { kind: 'and' | 'or' | 'not' }>;

/** The conditions of an expression, left to right, whatever ANDs, ORs and NOTs hold them. */
export function segmentTerms(expr: SegmentExpr): SegmentTerm[] {
  if (expr.kind === 'and' || expr.kind === 'or') return expr.items.flatMap(segmentTerms);
  if (expr.kind === 'not') return segmentTerms(expr.item);
  return [expr];
}
