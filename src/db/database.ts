import { rmSync } from 'node:fs';
import path from 'node:path';
import { type Options, Sequelize, Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { AsyncMutex } from './async-mutex';
import { urgent } from '../util/time-slice';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url';
import { translateDbError } from './db-error-translation';
import { TransientDbError } from './db.errors';
import { type DriverConnection, type DriverResult, runOnDriver } from './driver-query';
import { bindStatement, type Replacements } from './sql-statement';
import { maxBoundValues } from './sql-limits';
import { maskSqlLiterals } from '../logging/sql-mask';

export type Dialect = DatabaseTarget['dialect'];

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  log?: Logger;
  logQueries?: boolean;
}

const sqliteBusyTimeoutMs = 10_000;
/** The one SQLite connection this process writes on: its transactions and its single statements outside one. */
const sqliteWritersConnection = 'persona-transactions';
/** The SQLite connection long reads run on (see `selectLong`), apart from the one short reads share. */
const sqliteLongReadsConnection = 'persona-long-reads';
const transientRetries = 4;

/**
 * Persona's handle on its store: the Sequelize instance plus the few things that differ by dialect.
 * Every multi-statement write goes through `transaction`, which retries deadlocks and translates driver errors.
 */
export class Database {
  readonly sequelize: Sequelize;
  readonly dialect: Dialect;
  readonly target: DatabaseTarget;
  private readonly log: Logger | undefined;
  private readonly logQueries: boolean;

  constructor(options: DatabaseOptions) {
    this.target = parseDatabaseUrl(options.url);
    this.dialect = this.target.dialect;
    this.log = options.log;
    this.logQueries = Boolean(options.logQueries && options.log);
    // Sequelize's statements (models, migrations) arrive with their values inline; Persona's own bind them all.
    const logging: Options['logging'] = this.logQueries
      ? (sql: string) => options.log?.debug({ sql: maskSqlLiterals(sql) }, 'sql')
      : false;
    const common: Options = {
      logging,
      define: { underscored: true, freezeTableName: true },
      timezone: '+00:00',
    };
    if (this.target.dialect === 'sqlite') {
      this.sequelize = new Sequelize({
        ...common,
        dialect: 'sqlite',
        storage: this.target.storage,
        // SQLite has one writer: taking the write lock up front turns would-be deadlocks into an orderly queue.
        transactionType: Transaction.TYPES.IMMEDIATE,
      });
      this.configureSqliteConnections();
    } else {
      this.sequelize = new Sequelize(this.target.database, this.target.user, this.target.password, {
        ...common,
        dialect: 'mysql',
        host: this.target.host,
        port: this.target.port,
        pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
        dialectOptions: { supportBigNumbers: true, bigNumberStrings: false, charset: 'utf8mb4' },
        hooks: {
          // Persona takes the locks it needs explicitly (FOR UPDATE, SKIP LOCKED, unique keys). Under READ COMMITTED
          // a locking read of rows that don't exist yet (a profile's first score) locks no gap, so two workers
          // writing neighbouring profiles don't deadlock, and a plain read sees the latest commit.
          afterConnect: (connection) =>
            new Promise<void>((resolve, reject) =>
              (connection as { query(sql: string, done: (error: Error | null) => void): void }).query(
                'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
                (error) => (error ? reject(error) : resolve()),
              ),
            ),
        },
      });
    }
  }

  /**
   * Sequelize opens (and afterwards closes) a fresh SQLite connection per transaction and sets no busy timeout.
   * Opening a file and setting it up costs more than a small transaction itself, and this process runs its SQLite
   * transactions one at a time anyway (see `sqliteWriter`), so they all share one long-lived connection. Every
   * connection gets a busy timeout, so a second process's writer waits instead of failing at once with SQLITE_BUSY,
   * and the file runs in WAL mode so readers never wait.
   */
  private configureSqliteConnections(): void {
    const manager = this.sequelize.connectionManager as unknown as {
      getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
      releaseConnection(connection: SqliteConnection, force?: boolean): void;
      destroyConnection(connection: SqliteConnection): Promise<void>;
    };
    const open = manager.getConnection.bind(manager);
    const release = manager.releaseConnection.bind(manager);
    const configured = new WeakSet<SqliteConnection>();
    let transactions: SqliteConnection | undefined;
    let longReads: SqliteConnection | undefined;
    const configure = async (connection: SqliteConnection) => {
      if (configured.has(connection)) return connection;
      configured.add(connection);
      connection.configure('busyTimeout', sqliteBusyTimeoutMs);
      await new Promise<void>((resolve, reject) =>
        connection.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;', (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      return connection;
    };
    manager.getConnection = async (options) => {
      // A transaction asks for a connection of its own by its id.
      if (!options?.uuid || options.uuid === 'default') return configure(await open(options));
      if (options.uuid === sqliteLongReadsConnection) {
        longReads ??= await configure(await open({ uuid: sqliteLongReadsConnection }));
        return longReads;
      }
      transactions ??= await configure(await open({ uuid: sqliteWritersConnection }));
      return transactions;
    };
    manager.releaseConnection = (connection, force) => {
      if (connection !== transactions && connection !== longReads) release(connection, force);
    };
    // A commit or rollback that failed leaves the connection in an unknown state, and Sequelize destroys it: the
    // shared one is closed, and the next transaction opens a fresh one.
    const destroy = manager.destroyConnection.bind(manager);
    manager.destroyConnection = async (connection) => {
      if (connection !== transactions) return destroy(connection);
      transactions = undefined;
      connection.close();
    };
  }

  private readonly models = new Map<string, unknown>();
  /**
   * SQLite takes one writer at a time, and a writer that finds the file locked sleeps in growing steps (up to 100 ms)
   * before it retries. Queuing this process's writes here instead hands the lock over the moment it is free; the busy
   * timeout still covers other processes.
   */
  private readonly sqliteWriter = new AsyncMutex();

  /**
   * A Sequelize model bound to this database, defined on first use. Models are per database (not module-level
   * classes) so several apps, each with its own store, can run in one process.
   */
  model<M>(name: string, define: (sequelize: Sequelize) => M): M {
    if (!this.models.has(name)) this.models.set(name, define(this.sequelize));
    return this.models.get(name) as M;
  }

  get isMysql(): boolean {
    return this.dialect === 'mysql';
  }

  /** ` FOR UPDATE SKIP LOCKED` where row locks exist; SQLite's immediate transactions already exclude other writers. */
  get skipLocked(): string {
    return this.isMysql ? ' FOR UPDATE SKIP LOCKED' : '';
  }

  /** ` FOR UPDATE` where row locks exist (SQLite: the transaction already holds the write lock). */
  get forUpdate(): string {
    return this.isMysql ? ' FOR UPDATE' : '';
  }

  /** The start of an insert that skips rows whose unique key is taken: idempotent writes by key. */
  get insertIgnoreInto(): string {
    return this.isMysql ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
  }

  /**
   * The end of an INSERT that updates `columns` of the row already holding its unique key instead (`conflictKey`:
   * that key's columns, which SQLite needs named; MySQL finds the key itself).
   */
  onConflictUpdate(conflictKey: readonly string[], columns: readonly string[]): string {
    return this.isMysql
      ? ` ON DUPLICATE KEY UPDATE ${columns.map((column) => `${column} = VALUES(${column})`).join(', ')}`
      : ` ON CONFLICT (${conflictKey.join(', ')}) DO UPDATE SET ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}`;
  }

  /**
   * Runs `work` in a transaction. Deadlocks and busy errors retry the whole transaction; everything else is translated
   * (unique violations become `ConflictError`) and rethrown after rollback.
   */
  async transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.serializedWrite(() => this.sequelize.transaction(work));
      } catch (error) {
        const translated = translateDbError(error);
        if (translated instanceof TransientDbError && attempt < transientRetries) continue;
        throw translated;
      }
    }
  }

  /** A parameterized single-row INSERT into a table with an auto-increment key; answers the new row's id. */
  async insert(sql: string, replacements: Replacements, transaction?: Transaction): Promise<number> {
    return (await this.run(sql, replacements, 'write', transaction)).insertId;
  }

  /**
   * A statement outside any transaction is its own transaction: it takes this process's SQLite write lock, and when
   * it loses a deadlock (MySQL's inbox inserts can meet the worker's claims) it was rolled back whole, so it is
   * simply run again. Inside a transaction the caller's retry covers the whole transaction instead.
   */
  private async autocommit<T>(statement: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.serializedWrite(statement);
      } catch (error) {
        const translated = translateDbError(error);
        if (translated instanceof TransientDbError && attempt < transientRetries) continue;
        throw error;
      }
    }
  }

  /**
   * SQLite's reads outside transactions, one at a time per connection. The driver finalizes a statement on the main
   * thread, and finalizing waits for the connection's lock: if another statement on that connection is in a long step
   * (a count over 100,000 profiles), the whole event loop stops until it ends. So no two statements ever run at once
   * on one connection: short reads (lookups, health, webhooks) take turns on one, long reads (`selectLong`) on another,
   * and writes have theirs, so a request never waits for a preview's aggregate and the event loop never blocks.
   */
  private readonly sqliteLanes = { short: new AsyncMutex(), long: new AsyncMutex() };

  /**
   * Writes on SQLite hold the one write lock every other write (a webhook's inbox row) waits for: they are `urgent`,
   * so long computations give way every millisecond while one runs.
   */
  private serializedWrite<T>(work: () => Promise<T>): Promise<T> {
    return this.isMysql ? work() : this.sqliteWriter.run(() => urgent(work));
  }

  /** A parameterized SELECT returning plain rows. */
  async select<Row extends object>(
    sql: string,
    replacements: Replacements = {},
    transaction?: Transaction,
  ): Promise<Row[]> {
    return (await this.run(sql, replacements, 'read', transaction)).rows as Row[];
  }

  /**
   * A SELECT that may take seconds: over the whole audience (a segment's count, a rules preview's aggregates) or
   * many thousands of rows. On SQLite it runs on a connection of its own, one long read at a time, so the short reads
   * of requests and webhooks never queue behind it (see `sqliteLanes`); on MySQL it is a pooled read like any other.
   */
  async selectLong<Row extends object>(sql: string, replacements: Replacements = {}): Promise<Row[]> {
    return (await this.run(sql, replacements, 'read', undefined, 'long')).rows as Row[];
  }

  /**
   * A multi-row INSERT: `into` (`INSERT INTO t (a, b, c)`) with one `tuple` (`(?, ?, 'x', ?)`) per row of `rows` and
   * an optional `tail` (ON CONFLICT …), cut into as few statements as the bound-value limit allows. Answers the rows
   * it changed.
   */
  async insertRows(
    statement: { into: string; tuple: string; tail?: string },
    rows: readonly (readonly unknown[])[],
    transaction?: Transaction,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const perStatement = Math.max(1, Math.floor(maxBoundValues / Math.max(1, rows[0].length)));
    let changed = 0;
    for (let start = 0; start < rows.length; start += perStatement) {
      const part = rows.slice(start, start + perStatement);
      changed += await this.execute(
        `${statement.into} VALUES ${part.map(() => statement.tuple).join(', ')}${statement.tail ?? ''}`,
        part.flat(),
        transaction,
      );
    }
    return changed;
  }

  /** A parameterized INSERT/UPDATE/DELETE; answers the number of rows it changed. */
  async execute(sql: string, replacements: Replacements = {}, transaction?: Transaction): Promise<number> {
    return (await this.run(sql, replacements, 'write', transaction)).affectedRows;
  }

  /**
   * Binds and runs one statement on the driver: on the transaction's connection, or (outside one) on a pooled
   * connection as its own autocommit transaction. Driver errors come out translated.
   */
  private async run(
    sql: string,
    replacements: Replacements,
    kind: 'read' | 'write',
    transaction?: Transaction,
    lane: 'short' | 'long' = 'short',
  ): Promise<DriverResult> {
    const statement = bindStatement(sql, replacements, this.scalar);
    if (this.logQueries) this.log?.debug({ sql: statement.sql }, 'sql');
    const onConnection = async (): Promise<DriverResult> => {
      if (transaction) return runOnDriver(this.dialect, driverConnection(transaction), statement, kind);
      const manager = this.sequelize.connectionManager as unknown as ConnectionManager;
      if (this.isMysql) {
        const connection = await manager.getConnection({ type: kind });
        try {
          return await runOnDriver(this.dialect, connection, statement, kind);
        } finally {
          manager.releaseConnection(connection);
        }
      }
      // Writes are already one at a time (`serializedWrite`); each read lane takes its turn on its connection.
      const uuid = kind === 'write' ? sqliteWritersConnection : lane === 'long' ? sqliteLongReadsConnection : 'default';
      const onLane = async () =>
        runOnDriver(this.dialect, await manager.getConnection({ type: kind, uuid }), statement, kind);
      return kind === 'write' ? onLane() : this.sqliteLanes[lane].run(onLane);
    };
    try {
      return transaction || kind === 'read' ? await onConnection() : await this.autocommit(onConnection);
    } catch (error) {
      throw translateDbError(error, statement.sql);
    }
  }

  /** One bound value: times as the text each dialect stores (with milliseconds), booleans as 0/1. */
  private readonly scalar = (value: unknown): unknown => {
    if (value instanceof Date) return this.formatTime(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value ?? null;
  };

  /** A UTC instant as this dialect stores DATETIME(3): `2026-11-22 13:52:00.123` (SQLite adds ` +00:00`, as Sequelize does). */
  formatTime(date: Date): string {
    const iso = date.toISOString();
    const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    return this.isMysql ? text : `${text} +00:00`;
  }

  /** Reads a DATETIME(3) column from a raw row: a Date on MySQL, text on SQLite. */
  parseTime(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value;
    const text = String(value);
    return new Date(text.includes('T') ? text : `${text.replace(' ', 'T').replace(' +00:00', '')}Z`);
  }

  async ping(): Promise<void> {
    await this.select('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.sequelize.close();
    if (this.target.dialect === 'sqlite' && this.target.temporary) {
      rmSync(path.dirname(this.target.storage), { recursive: true, force: true });
    }
  }
}

interface ConnectionManager {
  getConnection(options: { type: 'read' | 'write'; uuid?: string }): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): void;
}

/** The driver connection Sequelize opened for a transaction. */
function driverConnection(transaction: Transaction): DriverConnection {
  return (transaction as unknown as { connection: DriverConnection }).connection;
}

interface SqliteConnection {
  configure(option: 'busyTimeout', value: number): void;
  close(): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
}
