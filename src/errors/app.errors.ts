// The errors every room may raise, each with its HTTP status; a room's own errors are in `<room>.errors.ts`.

import { type Locale, LocalizedText } from '../i18n/message-catalog';

/** What an error says: a catalogue message (read in the reader's language), or English text. */
export type ErrorMessage = string | LocalizedText;

/**
 * The base of every error Persona raises on purpose. `code` is stable and machine-readable,
 * `status` is the HTTP status the error middleware answers with, `details` is safe to show a caller. A message from a
 * catalogue is `message` in English (the API's language) and `messageIn(locale)` in the reader's.
 */
export class AppError extends Error {
  readonly text?: LocalizedText;

  constructor(
    readonly code: string,
    message: ErrorMessage,
    readonly status = 500,
    readonly details?: unknown,
  ) {
    super(message instanceof LocalizedText ? message.in('en') : message);
    if (message instanceof LocalizedText) this.text = message;
    this.name = new.target.name;
  }

  /** The message in `locale` when it comes from a catalogue, else as written. */
  messageIn(locale: Locale): string {
    return this.text?.in(locale) ?? this.message;
  }
}

/** The caller sent something malformed; `details` says what and where. */
export class ValidationError extends AppError {
  constructor(message: ErrorMessage, details?: unknown) {
    super('validation_failed', message, 400, details);
  }
}

/** No credentials, or credentials that match nothing. */
export class UnauthorizedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', message, 401);
  }
}

/** Valid credentials that may not do this. */
export class ForbiddenError extends AppError {
  constructor(message: ErrorMessage = 'not allowed with these credentials') {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(message: ErrorMessage = 'not found', details?: unknown) {
    super('not_found', message, 404, details);
  }
}

/** A unique key already holds this value (a duplicate write, or a race another writer won). */
export class ConflictError extends AppError {
  constructor(message: ErrorMessage = 'conflicts with an existing record', details?: unknown) {
    super('conflict', message, 409, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload_too_large', `request body is larger than ${limitBytes} bytes`, 413, { limitBytes });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super('unsupported_media_type', `expected a ${expected} body`, 415, { expected });
  }
}

/** A dependency (the database, usually) can't serve right now; callers may retry. */
export class ServiceUnavailableError extends AppError {
  constructor(message: ErrorMessage = 'temporarily unavailable', details?: unknown) {
    super('service_unavailable', message, 503, details);
  }
}

/** Configuration that can't be used. The message names every offending key; start-up stops with it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
