import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs on stdout. Credentials are redacted by path; personal data is masked where it is logged (pii-mask.ts). */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'persona' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['headers.authorization', 'req.headers.authorization', '*.secret', '*.token', '*.password'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
