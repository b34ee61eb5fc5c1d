import pino from 'pino';
import { maskSqlMessage } from './sql-mask';

/**
 * Properties that hold a statement with its values, or the values themselves, on the errors of mysql2 (`sql`,
 * `sqlMessage`) and Sequelize (`sql`, `parameters`, `original` and `parent` — the driver's error again —, `fields`
 * and `errors[].value` of a unique violation, `instance` of a validation).
 */
const alwaysDropped = ['sql', 'sqlMessage', 'parameters', 'bind', 'replacements', 'original', 'parent'];
const droppedFromDatabaseErrors = ['fields', 'errors', 'aggregateErrors', 'value', 'instance'];

type ErrorLike = Error & Record<string, unknown>;

/** Raised by a database or Sequelize about a statement, anywhere along the error's causes. */
function aboutStatement(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const candidate = error as Partial<ErrorLike>;
  if (
    typeof candidate.sqlMessage === 'string' ||
    typeof candidate.sqlState === 'string' ||
    typeof candidate.sql === 'string'
  )
    return true;
  if (typeof candidate.name === 'string' && candidate.name.startsWith('Sequelize')) return true;
  return (
    aboutStatement(candidate.cause, depth + 1) ||
    aboutStatement(candidate.parent, depth + 1) ||
    aboutStatement(candidate.original, depth + 1)
  );
}

/** A stack with the message lines masked; the frames (`    at …`) stay as they are. */
function maskStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => (/^\s+at /.test(line) ? line : maskSqlMessage(line)))
    .join('\n');
}

function scrub(serialized: Record<string, unknown>, fromDatabase: boolean): Record<string, unknown> {
  for (const key of alwaysDropped) delete serialized[key];
  if (fromDatabase) {
    for (const key of droppedFromDatabaseErrors) delete serialized[key];
    if (typeof serialized.message === 'string') serialized.message = maskSqlMessage(serialized.message);
    if (typeof serialized.stack === 'string') serialized.stack = maskStack(serialized.stack);
  }
  if (serialized.cause && typeof serialized.cause === 'object')
    serialized.cause = scrub(serialized.cause as Record<string, unknown>, fromDatabase);
  return serialized;
}

/**
 * pino's error serializer, minus what a failed statement carries about the data: no statement with its values, no
 * values, no driver error nested inside; the message and stack of a database's error with its quoted values masked.
 * Persona's own statements fail as `DatabaseStatementError` already (src/db/db-error-translation.ts); this catches the
 * rest (Sequelize's statements in migrations, a library's query, an error logged before translation).
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  return scrub(serialized as Record<string, unknown>, aboutStatement(error));
}
