import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout. Credentials and contact details are redacted by path wherever an object carrying them is
 * logged; code that means to show a person names them through pii-mask.ts.
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'persona' },
      timestamp: pino.stdTimeFunctions.isoTime,
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
