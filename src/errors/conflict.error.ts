import { AppError } from './app.error';

/** A unique key already holds this value (a duplicate write, or a race another writer won). */
export class ConflictError extends AppError {
  constructor(message = 'conflicts with an existing record', details?: unknown) {
    super('conflict', message, 409, details);
  }
}
