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
