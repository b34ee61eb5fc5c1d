import { ValidationError } from '../errors/app.errors';
import { segmentsText } from './segments.messages';

/** A segment's name: what operators type after `segment:`; any script, no blanks at the ends, no control characters. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !/^(?!\s)(?!.*\s$)[^\p{Cc}]{1,64}$/u.test(name)) {
    throw new ValidationError(segmentsText('segment.nameInvalid'));
  }
  return name;
}

/** A segment's description: optional text of up to 2,000 characters. */
export function description(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 2000)
    throw new ValidationError(segmentsText('segment.descriptionTooLong'));
  return value;
}
