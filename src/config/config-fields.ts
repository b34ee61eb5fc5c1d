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
