import {
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  TimeoutError,
  UniqueConstraintError,
} from 'sequelize';
import { AppError, ConflictError, ServiceUnavailableError, ValidationError } from '../errors/app.errors';
import { DatabaseStatementError, TransientDbError } from './db.errors';

const transientCodes = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const foreignKeyMysqlCodes = new Set([
  'ER_NO_REFERENCED_ROW',
  'ER_NO_REFERENCED_ROW_2',
  'ER_ROW_IS_REFERENCED',
  'ER_ROW_IS_REFERENCED_2',
]);
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'SQLITE_CANTOPEN',
]);

function driverCode(error: DatabaseError): string | undefined {
  const parent = error.parent as { code?: string } | undefined;
  return parent?.code;
}

interface DriverError extends Error {
  code?: string;
  fatal?: boolean;
  sqlMessage?: string;
}

function isDriverError(error: unknown): error is DriverError {
  const candidate = error as Partial<DriverError> | null;
  return typeof candidate?.code === 'string' && typeof candidate.message === 'string';
}

/** An error the database itself raised about a statement (not a socket's or the file system's, which share `code`). */
function fromDatabase(error: DriverError): boolean {
  const code = error.code ?? '';
  return typeof error.sqlMessage === 'string' || code.startsWith('ER_') || code.startsWith('SQLITE_');
}

/**
 * Errors straight from mysql2 or node-sqlite3 (Persona's own statements run on the driver). Unique violations name
 * the key or columns, never the value: the value may be an email or a phone. Any other refusal becomes a
 * `DatabaseStatementError`: mysql2's error carries the statement formatted with every value and a message quoting
 * the offending one, and whatever logs or stores the error (the log, an inbox row's last error) must get neither.
 */
function translateDriverError(error: DriverError, statement: string | undefined): unknown {
  const code = error.code ?? '';
  if (code === 'ER_DUP_ENTRY') {
    const key = /for key '([^']+)'/.exec(error.message)?.[1];
    return new ConflictError('a record with the same key already exists', { key });
  }
  if (code === 'SQLITE_CONSTRAINT' && error.message.includes('UNIQUE constraint failed')) {
    const columns = error.message.split('UNIQUE constraint failed:')[1] ?? '';
    return new ConflictError('a record with the same key already exists', {
      fields: columns.split(',').map((column) => column.trim().split('.').pop()),
    });
  }
  if (foreignKeyMysqlCodes.has(code) || (code === 'SQLITE_CONSTRAINT' && error.message.includes('FOREIGN KEY'))) {
    return new ValidationError('refers to a record that does not exist');
  }
  if (transientCodes.has(code)) return new TransientDbError(code);
  if (error.fatal || connectionCodes.has(code)) return new ServiceUnavailableError('database unreachable');
  if (fromDatabase(error)) return new DatabaseStatementError(error, statement);
  return error;
}

/**
 * The one place where driver errors become Persona's: services and the HTTP layer see `ConflictError`,
 * `TransientDbError` or `DatabaseStatementError`, never `SequelizeUniqueConstraintError`, MySQL 1062 or SQLITE_BUSY,
 * and never the values a statement ran with. `statement`: the statement as Persona wrote it (placeholders only).
 */
export function translateDbError(error: unknown, statement?: string): unknown {
  if (error instanceof AppError || error instanceof DatabaseStatementError) return error;
  if (error instanceof UniqueConstraintError) {
    const fields = Object.keys(error.fields ?? {});
    return new ConflictError('a record with the same key already exists', { fields });
  }
  if (error instanceof ForeignKeyConstraintError) {
    return new ValidationError('refers to a record that does not exist', { index: error.index });
  }
  if (error instanceof TimeoutError) return new TransientDbError('timed out waiting for a lock');
  if (error instanceof ConnectionError) return new ServiceUnavailableError('database unreachable');
  if (error instanceof DatabaseError) {
    const code = driverCode(error);
    if (code && transientCodes.has(code)) return new TransientDbError(code);
    // Sequelize's own statements (models, migrations) come formatted with their values: only the driver's facts stay.
    const parent = (error.parent ?? {}) as Partial<DriverError> & { errno?: unknown; sqlState?: unknown };
    return new DatabaseStatementError({
      code,
      errno: parent.errno,
      sqlState: parent.sqlState,
      message: parent.message ?? error.message,
    });
  }
  // Duck-typed: a native driver's errors may come from another realm (Jest's sandbox), where `instanceof Error` fails.
  if (isDriverError(error)) return translateDriverError(error, statement);
  return error;
}
