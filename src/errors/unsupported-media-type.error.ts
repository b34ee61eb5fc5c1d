import { AppError } from './app.error';

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super('unsupported_media_type', `expected a ${expected} body`, 415, { expected });
  }
}
