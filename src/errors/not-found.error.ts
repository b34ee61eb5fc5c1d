import { AppError } from './app.error';

export class NotFoundError extends AppError {
  constructor(message = 'not found', details?: unknown) {
    super('not_found', message, 404, details);
  }
}
