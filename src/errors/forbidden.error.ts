import { AppError } from './app.error';

/** Valid credentials that may not do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed with these credentials') {
    super('forbidden', message, 403);
  }
}
