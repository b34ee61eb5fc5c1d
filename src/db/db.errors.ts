import { ServiceUnavailableError } from '../errors/app.errors';
import { maskSqlMessage } from '../logging/sql-mask';

/** The longest statement text an error keeps (multi-row inserts run to thousands of placeholders). */
const maxStatement = 1000;

/**
 * A statement the database refused for a reason Persona has no name for (a value too long for its column, a wrong
 * type). Carries what helps to find the cause and nothing of the data: the driver's code, MySQL's errno and SQLSTATE,
 * the message with its quoted values masked, and the statement as Persona wrote it, with placeholders (never as the
 * driver formatted it, values inline). The driver's error, which holds all of those, is not kept.
 */
export class DatabaseStatementError extends Error {
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly sqlState: string | undefined;
  readonly statement: string | undefined;

  constructor(driver: { code?: unknown; errno?: unknown; sqlState?: unknown; message: string }, statement?: string) {
    const code = typeof driver.code === 'string' ? driver.code : undefined;
    const message = maskSqlMessage(driver.message);
    super(code && !message.startsWith(code) ? `${code}: ${message}` : message);
    this.name = 'DatabaseStatementError';
    this.code = code;
    this.errno = typeof driver.errno === 'number' ? driver.errno : undefined;
    this.sqlState = typeof driver.sqlState === 'string' ? driver.sqlState : undefined;
    this.statement = statement && statement.length > maxStatement ? `${statement.slice(0, maxStatement)}…` : statement;
  }
}

/** A failure that may succeed if the whole transaction is tried again: deadlock, lock timeout, busy SQLite file. */
export class TransientDbError extends ServiceUnavailableError {
  constructor(message: string) {
    super(`database busy: ${message}`);
  }
}
