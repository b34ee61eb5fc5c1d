import {
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  TimeoutError,
  UniqueConstraintError,
} from 'sequelize';
import { AppError } from '../errors/app.error';
import { ConflictError } from '../errors/conflict.error';
import { ServiceUnavailableError } from '../errors/service-unavailable.error';
import { ValidationError } from '../errors/validation.error';

/** A failure that may succeed if the whole transaction is tried again: deadlock, lock timeout, busy SQLite file. */
export class TransientDbError extends ServiceUnavailableError {
  constructor(message: string) {
    super(`database busy: ${message}`);
  }
}

const transientCodes = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const foreignKeyMysqlCodes = new Set(['ER_NO_REFERENCED_ROW', 'ER_NO_REFERENCED_ROW_2', 'ER_ROW_IS_REFERENCED', 'ER_ROW_IS_REFERENCED_2']);
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'SQLITE_CANTOPEN']);

function driverCode(error: DatabaseError): string | undefined {
  const parent = error.parent as { code?: string } | undefined;
  return parent?.code;
}

interface DriverError extends Error {
  code?: string;
  fatal?: boolean;
}

function isDriverError(error: unknown): error is DriverError {
  const candidate = error as Partial<DriverError> | null;
  return typeof candidate?.code === 'string' && typeof candidate.message === 'string';
}

/**
 * Errors straight from mysql2 or node-sqlite3 (Persona's own statements run on the driver). Unique violations name
 * the key or columns, never the value: the value may be an email or a phone.
 */
function translateDriverError(error: DriverError): unknown {
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
  return error;
}

/**
 * The one place where driver errors become Persona's: services and the HTTP layer see `ConflictError` or
 * `TransientDbError`, never `SequelizeUniqueConstraintError`, MySQL 1062 or SQLITE_BUSY.
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
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
    return error;
  }
  // Duck-typed: a native driver's errors may come from another realm (Jest's sandbox), where `instanceof Error` fails.
  if (isDriverError(error)) return translateDriverError(error);
  return error;
}
