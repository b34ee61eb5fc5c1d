import { AppError } from './app.error';

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload_too_large', `request body is larger than ${limitBytes} bytes`, 413, { limitBytes });
  }
}
