import { AppError } from './app.error';

/** The caller sent something malformed; `details` says what and where. */
export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, 400, details);
  }
}
