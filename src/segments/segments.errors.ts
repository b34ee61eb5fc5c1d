import { ValidationError } from '../errors/app.errors';

/**
 * An expression that can't be read: where (1-based column) and what was expected there, e.g.
 * `column 12: expected a tag name after "tag:"`, with the closest known name when one was misspelt.
 */
export class SegmentSyntaxError extends ValidationError {
  constructor(
    readonly column: number,
    readonly expected: string,
    readonly suggestion?: string,
  ) {
    super(`column ${column}: expected ${expected}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
      column,
      expected,
      ...(suggestion ? { suggestion } : {}),
    });
  }
}

/** An expression that reads fine but can't mean anything: `city > Shanghai`, a cycle of segments, an unknown segment. */
export class SegmentMeaningError extends ValidationError {}
