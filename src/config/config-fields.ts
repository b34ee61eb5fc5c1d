import { z } from 'zod';
import { Secret } from './secret';

/** An integer in [min, max], with a message an operator can act on. */
export function intBetween(min: number, max: number) {
  const expected = `expected a number between ${min} and ${max}`;
  return z
    .number({ error: expected })
    .int({ error: `${expected} (a whole number)` })
    .min(min, { error: expected })
    .max(max, { error: expected });
}

/** A lower-case name used in URLs, metrics and logs: `shop-frontend`, `brand_b`. */
export const slug = z
  .string({ error: 'expected a name' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected a lower-case name of letters, digits, "-" and "_"' });

/**
 * A tag's name: `category/name` (`crm/mql`, `interest/体育`) or a bare manual tag; any script, no slashes at either
 * end, no blanks at the ends, no control characters.
 */
export const tagName = z
  .string({ error: 'expected a tag name' })
  .min(1, { error: 'expected a tag name' })
  .max(128, { error: 'expected a tag name of at most 128 characters' })
  .regex(/^(?!\/)(?!.*\/$)(?!\s)(?!.*\s$)[^\p{Cc}]+$/u, {
    error: 'expected a tag name such as crm/mql (no control characters, no slash or blank at either end)',
  });

/**
 * A secret: written in config as `env:VARIABLE_NAME` and read from the environment, never from a file.
 * `minLength` guards against placeholder tokens such as `test`.
 */
export function secret(options: { minLength?: number } = {}) {
  const minLength = options.minLength ?? 1;
  return z
    .custom<Secret>((value) => value instanceof Secret, {
      error: 'secrets come from the environment: write env:VARIABLE_NAME here and set that variable',
    })
    .refine((value) => value.reveal().length >= minLength, {
      error: `expected at least ${minLength} characters in the environment variable`,
    });
}

/** A value that may come from the environment (`env:NAME`) or be written in config, checked the same way. */
export function envOrText<T extends z.ZodType<unknown, string>>(schema: T) {
  return z.union([z.instanceof(Secret).transform((value) => value.reveal()), z.string()]).pipe(schema);
}

/** An IANA time zone such as `Asia/Shanghai`. */
export const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone such as Asia/Shanghai' },
);

/** A local time of day, `HH:MM` on a 24-hour clock. */
export const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day such as 22:00' });
