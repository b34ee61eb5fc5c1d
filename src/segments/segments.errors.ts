import { ValidationError } from '../errors/app.errors';
import type { LocalizedText } from '../i18n/message-catalog';
import { segmentsText } from './segments.messages';

/**
 * An expression that can't be read: where (1-based column) and what was expected there, e.g.
 * `column 12: expected a tag name after "tag:"`, with the closest known name when one was misspelt. `expected` is a
 * catalogue message, so the whole error reads in one language; `details.expected` is its English.
 */
export class SegmentSyntaxError extends ValidationError {
  constructor(
    readonly column: number,
    readonly expected: LocalizedText,
    readonly suggestion?: string,
  ) {
    super(
      suggestion
        ? segmentsText('segment.syntax.suggest', { column, expected, suggestion })
        : segmentsText('segment.syntax', { column, expected }),
      {
        column,
        expected: expected.toJSON(),
        ...(suggestion ? { suggestion } : {}),
      },
    );
  }
}

/** An expression that reads fine but can't mean anything: `city > Shanghai`, a cycle of segments, an unknown segment. */
export class SegmentMeaningError extends ValidationError {}
