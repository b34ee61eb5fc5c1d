import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { ValidationError } from '../errors/validation.error';
import type { Clock } from '../util/clock';
import type { InboundEvent, InboxPayload } from './inbound-event';
import { type InboxRow, InboxWriter } from './inbox-writer';
import { storableProblems } from './storable-event';

export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';

/** A claimed inbox row, ready for the pipeline. */
export interface InboxEntry {
  id: number;
  source: string;
  sourceKey: string;
  payload: string;
  attempts: number;
}

/**
 * The durable intake. `write` is the only thing a request does before answering; the worker claims rows with a lease,
 * so a crashed worker's rows return to the queue and several instances never process the same row at once.
 */
export class InboxService {
  private readonly writer: InboxWriter;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.writer = new InboxWriter(db);
  }

  /**
   * Stores events, skipping any whose (source, key) is already in the inbox. Durable when it resolves; answers how
   * many were skipped (`duplicates`: a retry, or the same key twice). Concurrent writes share statements (group
   * commit), which is what keeps webhook answers fast under bursts.
   */
  async write(source: string, events: readonly InboundEvent[]): Promise<{ duplicates: number }> {
    const now = this.clock();
    // The last door: a way in that didn't check its events (partitionEvents does) still can't have the inbox take
    // one that would fail in the worker. Nothing is written unless all of them can be stored.
    const unstorable = events.flatMap((event, index) => {
      const problems = storableProblems(event, now);
      return problems.length > 0 ? [{ index, problems }] : [];
    });
    if (unstorable.length > 0) {
      const [first] = unstorable;
      const which = events.length === 1 ? 'the event' : `event ${first.index}`;
      const why = first.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
      throw new ValidationError(`${which} can't be stored: ${why}`, { errors: unstorable });
    }
    const inserted = await this.writer.insert(
      events.map((event): InboxRow => {
        const payload: InboxPayload = {
          type: event.type,
          channel: event.channel,
          occurredAt: event.occurredAt.toISOString(),
          identities: event.identities,
          properties: event.properties,
          ...(event.attributes && Object.keys(event.attributes).length > 0 ? { attributes: event.attributes } : {}),
          ...(event.attributeSource ? { attributeSource: event.attributeSource } : {}),
          ...(event.tags?.add?.length || event.tags?.remove?.length ? { tags: event.tags } : {}),
        };
        return [source, sourceKey(source, event.key), JSON.stringify(payload), now, now];
      }),
    );
    return { duplicates: events.length - inserted };
  }

  /** Claims up to `limit` due rows for `worker` until `leaseMs` from now. */
  async claim(worker: string, limit: number, leaseMs: number): Promise<InboxEntry[]> {
    const now = this.clock();
    return this.db.transaction(async (transaction) => {
      // Oldest due first, in the claim index's own order: a backlog is read from the front of the index instead of
      // sorted whole on every claim.
      const due = await this.db.select<{ id: number }>(
        `SELECT id FROM inbox WHERE status = 'pending' AND available_at <= :now ORDER BY available_at, id LIMIT :limit${this.db.skipLocked}`,
        { now, limit },
        transaction,
      );
      if (due.length === 0) return [];
      const ids = due.map((row) => Number(row.id));
      await this.db.execute(
        "UPDATE inbox SET status = 'processing', locked_by = :worker, locked_until = :until WHERE id IN (:ids)",
        { worker, until: new Date(now.getTime() + leaseMs), ids },
        transaction,
      );
      const rows = await this.db.select<{
        id: number;
        source: string;
        source_key: string;
        payload: string;
        attempts: number;
      }>(
        'SELECT id, source, source_key, payload, attempts FROM inbox WHERE id IN (:ids) ORDER BY id',
        { ids },
        transaction,
      );
      return rows.map((row) => ({
        id: Number(row.id),
        source: row.source,
        sourceKey: row.source_key,
        payload: row.payload,
        attempts: Number(row.attempts),
      }));
    });
  }

  /** Inside the pipeline's transaction, so the rows are done exactly when their effects are committed. */
  async markDone(ids: readonly number[], transaction: Transaction): Promise<void> {
    if (ids.length === 0) return;
    const now = this.clock();
    await this.db.execute(
      "UPDATE inbox SET status = 'done', processed_at = :now, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id IN (:ids)",
      { ids, now },
      transaction,
    );
  }

  /** Back to the queue at once, untried (the pipeline deferred them): another claim takes them. */
  async release(ids: readonly number[], transaction: Transaction): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(
      "UPDATE inbox SET status = 'pending', locked_by = NULL, locked_until = NULL WHERE id IN (:ids)",
      { ids },
      transaction,
    );
  }

  /** Back to the queue after `retryInMs`, or parked as failed (null: attempts are used up). */
  async markFailed(id: number, error: string, retryInMs: number | null): Promise<void> {
    const now = this.clock();
    const retryAt = retryInMs === null ? null : new Date(now.getTime() + retryInMs);
    await this.db.execute(
      `UPDATE inbox SET status = :status, attempts = attempts + 1, available_at = :availableAt, last_error = :error,
         locked_by = NULL, locked_until = NULL, processed_at = :processedAt WHERE id = :id`,
      {
        id,
        status: retryAt ? 'pending' : 'failed',
        availableAt: retryAt ?? now,
        error: error.slice(0, 2000),
        processedAt: retryAt ? null : now,
      },
    );
  }

  /** Rows whose worker died mid-batch go back to the queue once their lease has run out. */
  async releaseExpired(): Promise<number> {
    const now = this.clock();
    return this.db.execute(
      "UPDATE inbox SET status = 'pending', locked_by = NULL, locked_until = NULL WHERE status = 'processing' AND locked_until < :now",
      { now },
    );
  }

  /** Deletes processed rows older than the retention; failed rows stay for inspection. */
  async purge(olderThan: Date): Promise<number> {
    return this.db.execute("DELETE FROM inbox WHERE status = 'done' AND processed_at < :olderThan", { olderThan });
  }

  /** Rows not yet processed (pending or in flight). */
  async depth(): Promise<number> {
    const [row] = await this.db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM inbox WHERE status IN ('pending', 'processing')",
    );
    return Number(row?.n ?? 0);
  }
}

const maxSourceKeyLength = 191;

/** Keys are namespaced by source, so two sources can't collide on the same client id; overlong keys are hashed. */
export function sourceKey(source: string, key: string): string {
  const plain = `${source}:${key}`;
  if (plain.length <= maxSourceKeyLength) return plain;
  return `${source}:#${createHash('sha256').update(key).digest('hex')}`;
}
