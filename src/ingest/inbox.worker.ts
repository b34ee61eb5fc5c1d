import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TransientDbError } from '../db/db-error.translator';
import { ConflictError } from '../errors/conflict.error';
import { PollingWorker, retryDelay } from '../jobs/polling-worker';
import type { Metrics } from '../metrics/metrics';
import { type EventPipeline, UnprocessableEntryError } from './event-pipeline';
import type { InboxEntry, InboxService } from './inbox.service';

export interface InboxWorkerOptions {
  batchSize: number;
  /** Entries committed together; a failing group is retried one entry at a time. */
  entriesPerTransaction: number;
  pollIntervalMs: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

/**
 * A write that lost a race on a unique key, or a deadlock, is tried again at once: the next try sees the winner's
 * row. Only when that keeps happening does the entry wait for its backoff.
 */
const raceRetries = 5;

/**
 * Drains the inbox: claims a batch under a lease, runs each entry through the pipeline, and either commits it done,
 * reschedules it with exponential backoff, or parks it as failed after `maxAttempts`. Every instance runs one; leases
 * keep them off each other's rows.
 */
export class InboxWorker extends PollingWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly inbox: InboxService,
    private readonly pipeline: EventPipeline,
    private readonly options: InboxWorkerOptions,
    log: Logger,
    private readonly metrics: Metrics,
  ) {
    super('inbox worker', options.pollIntervalMs, log);
  }

  /** One claim-and-process round; answers how many entries it handled. */
  async runOnce(): Promise<number> {
    await this.inbox.releaseExpired();
    const batch = await this.inbox.claim(this.id, this.options.batchSize, this.options.leaseMs);
    for (let start = 0; start < batch.length; start += this.options.entriesPerTransaction) {
      await this.handleGroup(batch.slice(start, start + this.options.entriesPerTransaction));
    }
    return batch.length;
  }

  /** A group commits together; if it can't, each entry gets its own transaction, retries and failure record. */
  private async handleGroup(entries: InboxEntry[]): Promise<void> {
    if (entries.length > 1) {
      try {
        const outcomes = await this.pipeline.processBatch(entries);
        outcomes.forEach((outcome, index) => this.metrics.ingestEvents.inc({ source: entries[index].source, outcome }));
        return;
      } catch (error) {
        // Nothing of the group was committed; the one-by-one pass below records what failed and why.
        this.log.debug({ err: error, entries: entries.length }, 'inbox group failed; processing its entries one by one');
      }
    }
    for (const entry of entries) await this.handle(entry);
  }

  private async handle(entry: InboxEntry): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcome = await this.pipeline.process(entry);
        this.metrics.ingestEvents.inc({ source: entry.source, outcome });
        return;
      } catch (error) {
        const lostRace = error instanceof ConflictError || error instanceof TransientDbError;
        if (lostRace && attempt < raceRetries) continue;
        await this.fail(entry, error);
        return;
      }
    }
  }

  private async fail(entry: InboxEntry, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const attempts = entry.attempts + 1;
    const permanent = error instanceof UnprocessableEntryError || attempts >= this.options.maxAttempts;
    const retryAt = permanent ? null : new Date(Date.now() + retryDelay(this.options.retryBaseMs, attempts));
    this.log[permanent ? 'error' : 'warn'](
      { err: error, inboxId: entry.id, source: entry.source, attempts, retryAt },
      permanent ? 'inbox entry failed for good' : 'inbox entry failed; will retry',
    );
    this.metrics.ingestEvents.inc({ source: entry.source, outcome: permanent ? 'failed' : 'retried' });
    try {
      await this.inbox.markFailed(entry.id, message, retryAt);
    } catch (markError) {
      // The lease will expire and the entry will be claimed again: nothing is lost.
      this.log.error({ err: markError, inboxId: entry.id }, 'could not record the failure of an inbox entry');
    }
  }
}
