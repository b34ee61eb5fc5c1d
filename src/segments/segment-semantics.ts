import { ValidationError } from '../errors/validation.error';
import type { CompareOp, Scalar, SegmentExpr } from './segment-ast';

/** An expression that reads fine but can't mean anything: `city > Shanghai`, a cycle of segments, an unknown segment. */
export class SegmentMeaningError extends ValidationError {}

/** Saved segments by name (undefined: no such segment). */
export type SegmentLookup = (name: string) => Promise<SegmentExpr | undefined>;

export const lastSeenOps = ['<', '<=', '>', '>='] as const;

/** Orderings compare numbers only: `attr.level >= 2` is a question, `city > Shanghai` is not. */
export function checkComparable(field: string, op: CompareOp, value: Scalar): void {
  if (op !== '=' && op !== '!=' && typeof value !== 'number') {
    throw new SegmentMeaningError(`${field} ${op} needs a number to compare with, not ${JSON.stringify(value)}`);
  }
}

const maxSegmentDepth = 16;

/** Replaces `segment:<name>` by the saved expression (recursively), refusing unknown names and cycles. */
export async function resolveSegmentRefs(expr: SegmentExpr, lookup: SegmentLookup | undefined, path: readonly string[] = []): Promise<SegmentExpr> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { kind: expr.kind, items: await Promise.all(expr.items.map((item) => resolveSegmentRefs(item, lookup, path))) };
    case 'not':
      return { kind: 'not', item: await resolveSegmentRefs(expr.item, lookup, path) };
    case 'segment': {
      if (path.includes(expr.name)) throw new SegmentMeaningError(`segment ${[...path, expr.name].join(' → ')} refers to itself`);
      if (path.length >= maxSegmentDepth) throw new SegmentMeaningError(`segments nest more than ${maxSegmentDepth} deep`);
      const saved = lookup ? await lookup(expr.name) : undefined;
      if (!saved) throw new SegmentMeaningError(`no saved segment named ${expr.name}`);
      return resolveSegmentRefs(saved, lookup, [...path, expr.name]);
    }
    default:
      return expr;
  }
}
