import type { BoundStatement } from './sql-statement';

/** What a statement answers, the same on both drivers. */
export interface DriverResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
  insertId: number;
}

/** The driver connection under a Sequelize connection or transaction: mysql2's or node-sqlite3's. */
export type DriverConnection = MysqlConnection | SqliteConnection;

interface MysqlConnection {
  query(sql: string, values: unknown[], callback: (error: Error | null, result: unknown) => void): void;
}

interface SqliteConnection {
  all(sql: string, values: unknown[], callback: (error: Error | null, rows: Record<string, unknown>[]) => void): void;
  run(
    sql: string,
    values: unknown[],
    callback: (this: { changes: number; lastID: number }, error: Error | null) => void,
  ): void;
}

/**
 * Runs a bound statement on the driver connection itself. Sequelize's raw query path spends more CPU per statement
 * than the driver and the database together (placeholder parsing, hooks, option merging); Persona's statements are
 * hand-written SQL, so they go straight to the connection Sequelize pooled or opened for the transaction, with the
 * same type casting configured on it.
 */
export function runOnDriver(
  dialect: 'mysql' | 'sqlite',
  connection: DriverConnection,
  statement: BoundStatement,
  kind: 'read' | 'write',
): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    if (dialect === 'mysql') {
      (connection as MysqlConnection).query(statement.sql, statement.values, (error, result) => {
        if (error) return reject(error);
        if (Array.isArray(result))
          return resolve({ rows: result as Record<string, unknown>[], affectedRows: 0, insertId: 0 });
        const header = result as { affectedRows?: number; insertId?: number };
        resolve({ rows: [], affectedRows: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) });
      });
    } else if (kind === 'read') {
      (connection as SqliteConnection).all(statement.sql, statement.values, (error, rows) =>
        error ? reject(error) : resolve({ rows, affectedRows: 0, insertId: 0 }),
      );
    } else {
      (connection as SqliteConnection).run(statement.sql, statement.values, function (error) {
        if (error) return reject(error);
        resolve({ rows: [], affectedRows: this.changes, insertId: this.lastID });
      });
    }
  });
}
