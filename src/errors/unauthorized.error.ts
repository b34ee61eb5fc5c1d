import { AppError } from './app.error';

/** No credentials, or credentials that match nothing. */
export class UnauthorizedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', message, 401);
  }
}
