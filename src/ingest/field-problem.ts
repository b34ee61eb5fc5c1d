import type { z } from 'zod';

/** What is wrong with one field of one inbound item. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Zod issues as field problems: `lead.email: expected an email address`, unknown keys named. */
export function toFieldProblems(issues: readonly z.core.$ZodIssue[], whole = '(event)'): FieldProblem[] {
  return issues.map((issue) => ({
    path: issue.path.join('.') || whole,
    message: issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : issue.message,
  }));
}
