import { z } from 'zod';
import { ValidationError } from '../errors/app.errors';

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

/**
 * A positive row id in a path: `recordId('a profile id')`. Decimal digits only: a number parser would also read
 * `1e3` as 1000, `0x10` as 16 and ` 7` as 7, so one profile would answer to many spellings of its id.
 */
export function recordId(what: string) {
  const error = `expected ${what} (decimal digits)`;
  return z
    .string({ error })
    .regex(/^[1-9]\d{0,9}$/, { error })
    .transform(Number)
    .pipe(z.number().max(2 ** 31 - 1, { error }));
}
