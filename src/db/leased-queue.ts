import type { Transaction } from 'sequelize';
import type { Database } from './database';

/** Retries wait at most this long, however many attempts came before. */
export const maxRetryDelayMs = 60 * 60 * 1000;

/** The wait before the next attempt after `attempts` failed ones: `baseMs`, doubling per attempt, capped. */
export function retryDelay(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxRetryDelayMs);
}

/**
 * A table used as a work queue. Its rows have `id`, `status`, `attempts`, `available_at` (due from then),
 * `locked_by` and `locked_until` (the lease), and `last_error` when `parked` is set.
 */
export interface LeasedQueueSpec {
  /** The owning room's table. */
  table: string;
  /** The status of a row waiting to be claimed, and of a claimed one. */
  waiting: string;
  leased: string;
  /** The status of a row whose attempts are used up (kept for inspection), and the column stamped when it parks. */
  parked?: { status: string; stamp?: string };
  /** The order due rows are claimed in: the claim index's own, so a backlog is read from the front of the index. */
  claimOrder: string;
}

/**
 * The leased queue the inbox, the webhook outbox and the push outbox share: a worker claims due rows under a lease
 * (`FOR UPDATE SKIP LOCKED` on MySQL, so instances never claim the same row), renews it while it works, and settles
 * each row; a row whose worker died goes back to the queue when its lease runs out; a failed attempt is retried
 * after a backoff or parked. How a row is settled (done, delivered, sent) is the room's own: `finish` writes it.
 */
export class LeasedQueue {
  constructor(
    private readonly db: Database,
    private readonly spec: LeasedQueueSpec,
  ) {}

  /**
   * Claims up to `limit` due rows for `worker` until `leaseMs` after `now`, with `columns` (which include `id`), in
   * claim order.
   */
  async claim<Row extends { id: number }>(
    worker: string,
    options: { limit: number; leaseMs: number; now: Date; columns: string },
  ): Promise<Row[]> {
    const { table, waiting, leased, claimOrder } = this.spec;
    const { now } = options;
    return this.db.transaction(async (transaction) => {
      const rows = await this.db.select<Row>(
        `SELECT ${options.columns} FROM ${table}
          WHERE status = :waiting AND available_at <= :now ORDER BY ${claimOrder} LIMIT :limit${this.db.skipLocked}`,
        { waiting, now, limit: options.limit },
        transaction,
      );
      if (rows.length === 0) return [];
      await this.db.execute(
        `UPDATE ${table} SET status = :leased, locked_by = :worker, locked_until = :until WHERE id IN (:ids)`,
        { leased, worker, until: new Date(now.getTime() + options.leaseMs), ids: rows.map((row) => row.id) },
        transaction,
      );
      return rows;
    });
  }

  /** Extends the lease of every row `worker` holds. */
  async renew(worker: string, leaseMs: number, now: Date): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.spec.table} SET locked_until = :until WHERE locked_by = :worker AND status = :leased`,
      { worker, leased: this.spec.leased, until: new Date(now.getTime() + leaseMs) },
    );
  }

  /** Those of `ids` `worker` still holds (with `unexpiredAt`: under a lease still running then), locked. */
  async heldBy(
    ids: readonly number[],
    worker: string,
    transaction: Transaction,
    options: { unexpiredAt?: Date } = {},
  ): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.select<{ id: number }>(
      `SELECT id FROM ${this.spec.table} WHERE id IN (:ids) AND locked_by = :worker${options.unexpiredAt ? ' AND locked_until > :now' : ''}${this.db.forUpdate}`,
      { ids, worker, now: options.unexpiredAt ?? null },
      transaction,
    );
    return new Set(rows.map((row) => Number(row.id)));
  }

  /** Rows whose worker died mid-batch go back to the queue once their lease has run out; answers how many. */
  releaseExpired(now: Date): Promise<number> {
    const { table, waiting, leased } = this.spec;
    return this.db.execute(
      `UPDATE ${table} SET status = :waiting, locked_by = NULL, locked_until = NULL WHERE status = :leased AND locked_until < :now`,
      { waiting, leased, now },
    );
  }

  /** The rows whose lease has run out, with `columns`, locked (for a room that decides row by row what to do). */
  expired<Row extends { id: number }>(columns: string, now: Date, transaction: Transaction): Promise<Row[]> {
    return this.db.select<Row>(
      `SELECT ${columns} FROM ${this.spec.table} WHERE status = :leased AND locked_until < :now${this.db.skipLocked}`,
      { leased: this.spec.leased, now },
      transaction,
    );
  }

  /** Back to the queue at once, untried; `also` sets more columns (SQL assignments, no values). */
  async release(ids: readonly number[], transaction: Transaction, also = ''): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(
      `UPDATE ${this.spec.table} SET status = :waiting, locked_by = NULL, locked_until = NULL${also ? `, ${also}` : ''} WHERE id IN (:ids)`,
      { waiting: this.spec.waiting, ids },
      transaction,
    );
  }

  /**
   * Settles rows as `status`, lease released; `set` adds the room's own assignments (named values in `values`).
   * Answers how many rows changed.
   */
  finish(
    ids: readonly number[],
    status: string,
    change: { set?: string; values?: Record<string, unknown> } = {},
    transaction?: Transaction,
  ): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.db.execute(
      `UPDATE ${this.spec.table} SET status = :finishedStatus, ${change.set ? `${change.set}, ` : ''}locked_by = NULL, locked_until = NULL WHERE id IN (:finishedIds)`,
      { ...change.values, finishedStatus: status, finishedIds: ids },
      transaction,
    );
  }

  /**
   * A failed attempt: the row goes back to the queue after `retryInMs` (see `retryDelay`), or is parked when that is
   * null (its attempts are used up), with the error kept.
   */
  async failAttempt(id: number, error: string, retryInMs: number | null, now: Date): Promise<void> {
    const { table, waiting, parked } = this.spec;
    if (!parked) throw new Error(`${table}: a queue without a parked status can't record a failed attempt`);
    const retryAt = retryInMs === null ? null : new Date(now.getTime() + retryInMs);
    await this.db.execute(
      `UPDATE ${table} SET status = :status, attempts = attempts + 1, available_at = :availableAt, last_error = :error,
         locked_by = NULL, locked_until = NULL${parked.stamp ? `, ${parked.stamp} = :stamp` : ''} WHERE id = :id`,
      {
        id,
        status: retryAt ? waiting : parked.status,
        availableAt: retryAt ?? now,
        error: error.slice(0, 2000),
        stamp: retryAt ? null : now,
      },
    );
  }

  /** Rows not yet settled (waiting or claimed). */
  async depth(): Promise<number> {
    const [row] = await this.db.select<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${this.spec.table} WHERE status IN (:waiting, :leased)`,
      { waiting: this.spec.waiting, leased: this.spec.leased },
    );
    return Number(row?.n ?? 0);
  }
}
