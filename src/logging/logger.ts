import pino, { type Logger } from 'pino';
import { serializeError } from './error-serializer';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout. Credentials and contact details are redacted by path wherever an object carrying them is
 * logged; code that means to show a person names them through pii-mask.ts. Errors are serialized without the
 * statements and values a failed query carries (error-serializer.ts).
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'persona' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: [
          'headers.authorization',
          'req.headers.authorization',
          '*.secret',
          '*.token',
          '*.password',
          '*.email',
          '*.phone',
          '*.identities',
          '*.attributes',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
