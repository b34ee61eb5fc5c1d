import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { LeasedQueue } from '../db/leased-queue';
import { ValidationError } from '../errors/app.errors';
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
 * The durable intake. `write` is the only thing a request does before answering; the worker claims rows from the
 * leased queue, so a crashed worker's rows return to it and several instances never process the same row at once.
 */
export class InboxService {
  private readonly writer: InboxWriter;
  private readonly queue: LeasedQueue;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.writer = new InboxWriter(db);
    this.queue = new LeasedQueue(db, {
      table: 'inbox',
      waiting: 'pending',
      leased: 'processing',
      parked: { status: 'failed', stamp: 'processed_at' },
      claimOrder: 'available_at, id',
    });
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

  /** Claims up to `limit` due rows for `worker` until `leaseMs` from now, in id order. */
  async claim(worker: string, limit: number, leaseMs: number): Promise<InboxEntry[]> {
    const rows = await this.queue.claim<{
      id: number;
      source: string;
      source_key: string;
      payload: string;
      attempts: number;
    }>(worker, { limit, leaseMs, now: this.clock(), columns: 'id, source, source_key, payload, attempts' });
    return rows
      .map((row) => ({
        id: Number(row.id),
        source: row.source,
        sourceKey: row.source_key,
        payload: row.payload,
        attempts: Number(row.attempts),
      }))
      .sort((a, b) => a.id - b.id);
  }

  /** Inside the pipeline's transaction, so the rows are done exactly when their effects are committed. */
  async markDone(ids: readonly number[], transaction: Transaction): Promise<void> {
    await this.queue.finish(
      ids,
      'done',
      { set: 'processed_at = :now, last_error = NULL', values: { now: this.clock() } },
      transaction,
    );
  }

  /** Back to the queue at once, untried (the pipeline deferred them): another claim takes them. */
  release(ids: readonly number[], transaction: Transaction): Promise<void> {
    return this.queue.release(ids, transaction);
  }

  /** Back to the queue after `retryInMs`, or parked as failed (null: attempts are used up). */
  markFailed(id: number, error: string, retryInMs: number | null): Promise<void> {
    return this.queue.failAttempt(id, error, retryInMs, this.clock());
  }

  /** Rows whose worker died mid-batch go back to the queue once their lease has run out. */
  releaseExpired(): Promise<number> {
    return this.queue.releaseExpired(this.clock());
  }

  /** Deletes processed rows older than the retention; failed rows stay for inspection. */
  async purge(olderThan: Date): Promise<number> {
    return this.db.execute("DELETE FROM inbox WHERE status = 'done' AND processed_at < :olderThan", { olderThan });
  }

  /** Rows not yet processed (pending or in flight). */
  depth(): Promise<number> {
    return this.queue.depth();
  }
}

const maxSourceKeyLength = 191;

/** Keys are namespaced by source, so two sources can't collide on the same client id; overlong keys are hashed. */
export function sourceKey(source: string, key: string): string {
  const plain = `${source}:${key}`;
  if (plain.length <= maxSourceKeyLength) return plain;
  return `${source}:#${createHash('sha256').update(key).digest('hex')}`;
}
