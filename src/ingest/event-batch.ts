import type { z } from 'zod';

/** What is wrong with one field of one inbound item. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** One rejected item of a batch, by its position in the request. */
export interface Rejection {
  index: number;
  problems: FieldProblem[];
}

/** Zod issues as field problems: `lead.email: expected an email address`, unknown keys named. */
export function toFieldProblems(issues: readonly z.core.$ZodIssue[], whole = '(event)'): FieldProblem[] {
  return issues.map((issue) => ({
    path: issue.path.join('.') || whole,
    message: issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : issue.message,
  }));
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
    if (typeof result === 'object' && result !== null && 'problems' in result) rejected.push({ index, problems: result.problems });
    else accepted.push(result as T);
  });
  return { accepted, rejected };
}
