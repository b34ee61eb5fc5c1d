import { jsonShapeProblems } from '../util/json-shape';
import type { FieldProblem } from './field-problem';
import type { InboundEvent } from './inbound-event';
import { inboundLimits, storableProblems } from './storable-event';

export { type FieldProblem, toFieldProblems } from './field-problem';

/** One rejected item of a batch, by its position in the request. */
export interface Rejection {
  index: number;
  problems: FieldProblem[];
}

/**
 * Converts every item of a batch on its own: the valid ones, and the invalid ones reported by index, so one bad item
 * never costs the others.
 */
export function partitionBatch<T>(
  items: readonly unknown[],
  convert: (item: unknown) => T | { problems: FieldProblem[] },
): { accepted: T[]; rejected: Rejection[] } {
  const accepted: T[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    const result = convert(item);
    if (typeof result === 'object' && result !== null && 'problems' in result)
      rejected.push({ index, problems: result.problems });
    else accepted.push(result as T);
  });
  return { accepted, rejected };
}

/**
 * `partitionBatch` for inbound events, with the checks every way in shares: each item as sent is refused when it nests
 * deeper than the limit (the event object around `properties` doesn't count), names a key `__proto__` or holds text
 * that isn't well-formed, before it is converted (so paths are the sender's own: `lead.attributes.__proto__`); the
 * converted event is refused when it can't be stored (`storableProblems`). What is accepted can be stored.
 */
export function partitionEvents(
  items: readonly unknown[],
  convert: (item: unknown) => InboundEvent | { problems: FieldProblem[] },
  receivedAt: Date,
): { accepted: InboundEvent[]; rejected: Rejection[] } {
  return partitionBatch(items, (item) => {
    const shape = jsonShapeProblems(item, '', inboundLimits.depth, -1);
    if (shape.length > 0) return { problems: shape };
    const event = convert(item);
    if ('problems' in event) return event;
    const problems = storableProblems(event, receivedAt);
    return problems.length > 0 ? { problems } : event;
  });
}
