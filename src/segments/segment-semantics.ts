import { type CompareOp, propertyNamePattern, type Scalar, type SegmentExpr, segmentTerms } from './segment-ast';
import { SegmentMeaningError } from './segments.errors';
import { segmentsText } from './segments.messages';

/** Saved segments by name: the expression, or a frozen segment's `frozenList` (undefined: no such segment). */
export type SegmentLookup = (name: string) => Promise<SegmentExpr | undefined>;

export const lastSeenOps = ['<', '<=', '>', '>='] as const;

/** Orderings compare numbers only: `attr.level >= 2` is a question, `city > Shanghai` is not. */
export function checkComparable(field: string, op: CompareOp, value: Scalar): void {
  if (op !== '=' && op !== '!=' && typeof value !== 'number') {
    throw new SegmentMeaningError(
      segmentsText('segment.meaning.needsNumber', { field, op, value: JSON.stringify(value) }),
    );
  }
}

const maxSegmentDepth = 16;

/** Replaces `segment:<name>` by the saved expression (recursively), refusing unknown names and cycles. */
export async function resolveSegmentRefs(
  expr: SegmentExpr,
  lookup: SegmentLookup | undefined,
  path: readonly string[] = [],
): Promise<SegmentExpr> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return {
        kind: expr.kind,
        items: await Promise.all(expr.items.map((item) => resolveSegmentRefs(item, lookup, path))),
      };
    case 'not':
      return { kind: 'not', item: await resolveSegmentRefs(expr.item, lookup, path) };
    case 'segment': {
      if (path.includes(expr.name))
        throw new SegmentMeaningError(
          segmentsText('segment.meaning.cycle', { path: [...path, expr.name].join(' → ') }),
        );
      if (path.length >= maxSegmentDepth)
        throw new SegmentMeaningError(segmentsText('segment.meaning.tooDeep', { max: maxSegmentDepth }));
      const saved = lookup ? await lookup(expr.name) : undefined;
      if (!saved) throw new SegmentMeaningError(segmentsText('segment.unknownSegment', { name: expr.name }));
      return resolveSegmentRefs(saved, lookup, [...path, expr.name]);
    }
    default:
      return expr;
  }
}

/** An age range in whole years, `[from, until)`; either end may be open. */
export interface AgeRange {
  from: number | null;
  until: number | null;
}

/**
 * What `age …` asks, as a range: `age >= 30`, `age = 30`, and the bands `age:25-34` (also `ageBand:25-34`),
 * `age:under-18`, `age:65+`. `!=` is the negation of `=`, answered by the caller.
 */
export function ageRange(op: CompareOp, value: Scalar): AgeRange {
  if (typeof value === 'string') {
    if (op !== '=' && op !== '!=') throw new SegmentMeaningError(segmentsText('segment.meaning.ageNeedsYears', { op }));
    if (value === 'under-18') return { from: null, until: 18 };
    if (value === '65+') return { from: 65, until: null };
    const band = /^(\d{1,3})-(\d{1,3})$/.exec(value);
    if (!band || Number(band[1]) > Number(band[2])) {
      throw new SegmentMeaningError(segmentsText('segment.meaning.ageValue', { value: JSON.stringify(value) }));
    }
    return { from: Number(band[1]), until: Number(band[2]) + 1 };
  }
  checkComparable('age', op, value);
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new SegmentMeaningError(segmentsText('segment.meaning.ageWholeYears'));
  switch (op) {
    case '>=':
      return { from: value, until: null };
    case '>':
      return { from: value + 1, until: null };
    case '<':
      return { from: null, until: value };
    case '<=':
      return { from: null, until: value + 1 };
    default:
      return { from: value, until: value + 1 };
  }
}

/** The latest birthday (`YYYY-MM-DD`) of someone at least `years` old on `now`'s UTC date. */
export function birthdayCutoff(years: number, now: Date): string {
  const date = now.toISOString().slice(0, 10);
  return `${String(now.getUTCFullYear() - years).padStart(4, '0')}${date.slice(4)}`;
}

/** `left <op> right` on numbers: what both the compiler and the evaluator mean by a comparison. */
export function compareNumbers(left: number, op: CompareOp, right: number): boolean {
  switch (op) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

/**
 * Throws the SegmentMeaningError the compiler or the evaluator would throw for this expression (`city > Shanghai`,
 * `last_seen = 7d`, `age:teen`), so rules can be checked when they are loaded rather than when they first run.
 */
export function checkMeaning(expr: SegmentExpr): void {
  for (const term of segmentTerms(expr)) {
    switch (term.kind) {
      case 'field':
        if (term.field === 'age' || term.field === 'ageBand') ageRange(term.op === '!=' ? '=' : term.op, term.value);
        else checkComparable(term.field, term.op, term.value);
        break;
      case 'fieldIn':
        if (term.field === 'age' || term.field === 'ageBand') term.values.forEach((value) => ageRange('=', value));
        break;
      case 'lastSeen':
        if (!(lastSeenOps as readonly string[]).includes(term.op))
          throw new SegmentMeaningError(segmentsText('segment.meaning.lastSeenOp', { op: term.op }));
        break;
      case 'event':
        for (const filter of term.filters) checkComparable(filter.property, filter.op, filter.value);
        if (term.sum !== null && !propertyNamePattern.test(term.sum))
          throw new SegmentMeaningError(segmentsText('segment.meaning.sumProperty', { property: term.sum }));
        break;
      default:
        break;
    }
  }
}
