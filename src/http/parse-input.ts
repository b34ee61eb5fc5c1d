import { z } from 'zod';
import { ValidationError } from '../errors/validation.error';

/** Validates request input (a query, a path parameter) with `schema`; the first problem becomes a 400 naming the field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || what;
    throw new ValidationError(`${field}: ${issue.message}`, { field });
  }
  return result.data;
}

/** A positive row id in a path: `recordId('a profile id')`. */
export function recordId(what: string) {
  const error = `expected ${what}`;
  return z.coerce.number({ error }).int({ error }).positive({ error }).max(2 ** 31 - 1, { error });
}
