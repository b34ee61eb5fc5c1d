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

const transientMysqlCodes = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

function driverCode(error: DatabaseError): string | undefined {
  const parent = error.parent as { code?: string } | undefined;
  return parent?.code;
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
    if (code && transientMysqlCodes.has(code)) return new TransientDbError(code);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new TransientDbError(code);
  }
  return error;
}
