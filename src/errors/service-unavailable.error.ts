import { AppError } from './app.error';

/** A dependency (the database, usually) can't serve right now; callers may retry. */
export class ServiceUnavailableError extends AppError {
  constructor(message = 'temporarily unavailable', details?: unknown) {
    super('service_unavailable', message, 503, details);
  }
}
