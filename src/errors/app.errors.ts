// The errors every room may raise, each with its HTTP status; a room's own errors are in `<room>.errors.ts`.

/**
 * The base of every error Persona raises on purpose. `code` is stable and machine-readable,
 * `status` is the HTTP status the error middleware answers with, `details` is safe to show a caller.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller sent something malformed; `details` says what and where. */
export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
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
  constructor(message = 'not allowed with these credentials') {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'not found', details?: unknown) {
    super('not_found', message, 404, details);
  }
}

/** A unique key already holds this value (a duplicate write, or a race another writer won). */
export class ConflictError extends AppError {
  constructor(message = 'conflicts with an existing record', details?: unknown) {
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
  constructor(message = 'temporarily unavailable', details?: unknown) {
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
