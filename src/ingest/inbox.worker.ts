import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TransientDbError } from '../db/db.errors';
import { ConflictError } from '../errors/app.errors';
import { retryDelay } from '../db/leased-queue';
import { PollingWorker } from '../jobs/polling-worker';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import { monotonicMs } from '../util/clock';
import { type EventPipeline } from './event-pipeline';
import { UnprocessableEntryError } from './ingest.errors';
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

/** A unique key taken by another writer first, or a deadlock: trying again sees the winner's rows. */
function lostRace(error: unknown): boolean {
  return error instanceof ConflictError || error instanceof TransientDbError;
}

/**
 * Drains the inbox: claims a batch under a lease, runs each entry through the pipeline, and either commits it done,
 * reschedules it with exponential backoff, or parks it as failed after `maxAttempts`. Every instance runs one; leases
 * keep them off each other's rows.
 */
export class InboxWorker extends PollingWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  /** When this worker last looked for expired leases. */
  private lastReleaseAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly inbox: InboxService,
    private readonly pipeline: EventPipeline,
    private readonly options: InboxWorkerOptions,
    log: Logger,
    private readonly metrics: Metrics,
    private readonly notices?: NoticeBoard,
  ) {
    super('inbox worker', options.pollIntervalMs, log);
  }

  /** One claim-and-process round; answers how many entries it handled. */
  async runOnce(): Promise<number> {
    let batch = await this.inbox.claim(this.id, this.options.batchSize, this.options.leaseMs);
    // Leases run out only when a worker died. Expired ones are looked for when nothing else is due, and a few times
    // per lease during a backlog: not on every round, where the scan would contend with the other workers' claims.
    if (batch.length === 0 || monotonicMs() - this.lastReleaseAt >= this.options.leaseMs / 4) {
      this.lastReleaseAt = monotonicMs();
      const released = await this.inbox.releaseExpired();
      if (released > 0 && batch.length === 0)
        batch = await this.inbox.claim(this.id, this.options.batchSize, this.options.leaseMs);
    }
    for (let start = 0; start < batch.length; start += this.options.entriesPerTransaction) {
      await this.handleGroup(batch.slice(start, start + this.options.entriesPerTransaction));
    }
    return batch.length;
  }

  /**
   * A group commits together. A group that lost a race (another worker created the same new person first, or a
   * deadlock) is tried again whole; one that fails otherwise gives each entry its own transaction, retries and
   * failure record.
   */
  private async handleGroup(entries: InboxEntry[]): Promise<void> {
    if (entries.length > 1) {
      for (let attempt = 1; attempt <= raceRetries; attempt += 1) {
        try {
          const outcomes = await this.pipeline.processBatch(entries);
          outcomes.forEach((outcome, index) =>
            this.metrics.ingestEvents.inc({ source: entries[index].source, outcome }),
          );
          return;
        } catch (error) {
          // Nothing of the group was committed; the one-by-one pass below records what failed and why.
          if (lostRace(error) && attempt < raceRetries) continue;
          this.log.debug(
            { err: error, entries: entries.length },
            'inbox group failed; processing its entries one by one',
          );
          break;
        }
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
        if (lostRace(error) && attempt < raceRetries) continue;
        await this.fail(entry, error);
        return;
      }
    }
  }

  private async fail(entry: InboxEntry, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const attempts = entry.attempts + 1;
    const permanent = error instanceof UnprocessableEntryError || attempts >= this.options.maxAttempts;
    const retryInMs = permanent ? null : retryDelay(this.options.retryBaseMs, attempts);
    this.log[permanent ? 'error' : 'warn'](
      { err: error, inboxId: entry.id, source: entry.source, attempts, retryInMs },
      permanent ? 'inbox entry failed for good' : 'inbox entry failed; will retry',
    );
    this.metrics.ingestEvents.inc({ source: entry.source, outcome: permanent ? 'failed' : 'retried' });
    try {
      await this.inbox.markFailed(entry.id, message, retryInMs);
      if (permanent)
        this.notices?.post({ kind: 'inbox.parked', source: entry.source, entryId: entry.id, error: message });
    } catch (markError) {
      // The lease will expire and the entry will be claimed again: nothing is lost.
      this.log.error({ err: markError, inboxId: entry.id }, 'could not record the failure of an inbox entry');
    }
  }
}
