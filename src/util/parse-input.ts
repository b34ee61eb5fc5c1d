import { z } from 'zod';
import { ValidationError } from '../errors/app.errors';
import type { LocalizedText } from '../i18n/message-catalog';
import { validationText } from '../i18n/validation.messages';

/**
 * Validates request input (a query, a path parameter, a command's input) with `schema`; the first problem becomes a
 * 400 naming the field: in English as the schema words it, in the reader's language by the kind of problem.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || what;
    throw new ValidationError(problemOf(issue, field), { field });
  }
  return result.data;
}

/** One issue as a catalogue message. */
function problemOf(issue: z.core.$ZodIssue, field: string): LocalizedText {
  const said = { field, detail: issue.message };
  switch (issue.code) {
    case 'too_big':
      return validationText(issue.origin === 'string' ? 'validation.tooLong' : 'validation.tooLarge', {
        ...said,
        limit: Number(issue.maximum),
      });
    case 'too_small':
      return validationText(issue.origin === 'string' ? 'validation.tooShort' : 'validation.tooSmall', {
        ...said,
        limit: Number(issue.minimum),
      });
    case 'invalid_type':
      return validationText('validation.wrongType', said);
    case 'invalid_value':
      return validationText('validation.notOneOf', { ...said, values: issue.values.map(String).join(' / ') });
    case 'invalid_format':
      return validationText('validation.badFormat', said);
    case 'unrecognized_keys':
      return validationText('validation.unknownKey', said);
    default:
      return validationText('validation.other', said);
  }
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
