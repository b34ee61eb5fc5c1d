import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database';
import { retryDelay } from '../db/leased-queue';
import { PollingWorker } from '../jobs/polling-worker';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import type { PushSender, PushSendOutcome } from './push-sender.types';
import type { PushContent } from './push-content';
import type { ClaimedDelivery, DeliverySettlement, PushOutbox } from './push-outbox.repository';
import { PushBatches } from './push-batches';
import { type PushInfo, type PushPolicySettings, PushDecider, type ReadyDelivery } from './push-decider';
import { SendPacer } from './send-pacer';
import { chunks } from '../util/chunks';
import type { TrackedLinks } from './tracked-links';
import { PushPersonalizer } from './push-personalizer';
import type { Clock } from '../util/clock';

export interface PushWorkerOptions {
  batchSize: number;
  ratePerSecond: number;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

/** A claim, decided: its rows, those to send, and their pushes. */
interface PreparedClaim {
  rows: ClaimedDelivery[];
  ready: ReadyDelivery[];
  pushes: Map<number, PushInfo>;
  lockedUntil: Date;
}

/** Most openids in one WeChat mass send. */
const maxBatchRecipients = 10_000;
/** One-recipient sends waiting on their database write at once (each wave is marked, sent, then settled). */
const lanes = 4;

/**
 * Drains the push outbox in every instance: claims due recipients under a lease, applies the contact-pressure
 * policy to each at send time (under the profile's lock, so two pushes can't both take a follower's last slot),
 * sends mass-message recipients of a push as one batch under a stored key, and one-recipient sends at the configured
 * pace, each marked as leaving before it leaves. Results and timeline events are written per group.
 */
export class PushDeliveryWorker extends PollingWorker {
  readonly id = `pushes-${randomUUID().slice(0, 8)}`;
  private readonly pacer: SendPacer;
  private readonly batches: PushBatches;
  private readonly decider: PushDecider;
  private readonly personalizer: PushPersonalizer;
  private lastRecovery = 0;
  /** The next claim, read while the current one is sent. */
  private prepared: Promise<PreparedClaim> | undefined;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly outbox: PushOutbox,
    private readonly senders: { get(channel: string): PushSender | undefined },
    settings: PushPolicySettings,
    links: TrackedLinks,
    private readonly options: PushWorkerOptions,
    log: Logger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly notices?: NoticeBoard,
  ) {
    super('push delivery worker', options.pollIntervalMs, log);
    this.pacer = new SendPacer(options.ratePerSecond);
    this.batches = new PushBatches(db);
    this.decider = new PushDecider(db, outbox, settings, metrics, this.id);
    this.personalizer = new PushPersonalizer(db, links);
  }

  async runOnce(): Promise<number> {
    const pending = this.prepared;
    this.prepared = undefined;
    const claim = await (pending ?? this.prepare());
    if (claim.rows.length === 0) return 0;
    // A full claim means more is waiting: read and decide the next one while this one goes out, so the pace of
    // sending doesn't stall on the database between claims.
    if (claim.rows.length === this.options.batchSize && !this.stopping && !this.prepared) {
      const next = this.prepare();
      next.catch(() => undefined);
      this.prepared = next;
    }
    const batched = claim.ready.filter((row) => this.senders.get(row.channel)?.batch);
    const single = claim.ready.filter((row) => !batched.includes(row));
    // Slow answers (WeChat's, or its retries) mustn't let the lease run out under rows still being sent: renewed
    // while the round lasts. An instance that stalls can't renew, and its rows go to another (see markAttempted).
    const renewal = setInterval(() => {
      this.outbox
        .renew(this.id, this.options.leaseMs, this.clock())
        .catch((error: unknown) => this.log.warn({ err: error }, 'push lease renewal failed'));
    }, this.options.leaseMs / 4);
    try {
      await Promise.all([this.sendBatches(batched, claim.pushes), this.sendSingles(single, claim.pushes)]);
    } finally {
      clearInterval(renewal);
    }
    await this.finishPushes([...new Set(claim.rows.map((row) => row.pushId))], this.clock());
    return claim.rows.length;
  }

  /** Marks the pushes with nothing left to send done, and tells of each one this instance finished. */
  private async finishPushes(pushIds: readonly number[], now: Date): Promise<void> {
    for (const pushId of await this.outbox.finishPushes(pushIds, now))
      this.notices?.post({ kind: 'push.finished', pushId });
  }

  /** Lets the current round finish, then hands back a claim read ahead of time. */
  override async stop(): Promise<void> {
    this.stopping = true;
    await super.stop();
    const unsent = await this.prepared?.catch(() => undefined);
    this.prepared = undefined;
    this.stopping = false;
    if (unsent && unsent.ready.length > 0) {
      const now = this.clock();
      await this.outbox.settle(
        unsent.rows,
        unsent.ready.map((row) => ({ id: row.id, status: 'queued' as const, at: now, countAttempt: false })),
        this.id,
        now,
      );
    }
  }

  /** Claims due recipients and applies the policy: what a round then sends. */
  private async prepare(): Promise<PreparedClaim> {
    let now = this.clock();
    await this.outbox.wakeDeferred(now);
    if (now.getTime() - this.lastRecovery >= this.options.leaseMs / 4) {
      this.lastRecovery = now.getTime();
      const recovered = await this.outbox.recoverExpired(now);
      if (recovered.requeued + recovered.unconfirmed > 0)
        this.log.warn(
          { requeued: recovered.requeued, unconfirmed: recovered.unconfirmed },
          'push recipients of an expired lease taken over',
        );
      // Recovery may have settled a push's last recipients: nobody else would notice it is done.
      await this.finishPushes(recovered.pushIds, now);
    }
    const { rows, lockedUntil } = await this.outbox.claim(this.id, this.options.batchSize, this.options.leaseMs, now);
    if (rows.length === 0) return { rows, ready: [], pushes: new Map(), lockedUntil };
    const pushes = await this.pushesOf(rows.map((row) => row.pushId));
    const live = rows.filter((row) => ['sending', 'active'].includes(pushes.get(row.pushId)?.status ?? ''));
    const stopped = rows.filter((row) => !live.includes(row));
    await this.outbox.settle(
      stopped,
      stopped.map((row) => ({ id: row.id, status: 'cancelled' as const })),
      this.id,
      now,
    );
    now = this.clock();
    return { rows, ready: await this.decider.decide(live, pushes, now), pushes, lockedUntil };
  }

  private async pushesOf(ids: number[]): Promise<Map<number, PushInfo>> {
    const rows = await this.db.select<{ id: number; account: string; status: string; content: string }>(
      'SELECT id, account, status, content FROM pushes WHERE id IN (:ids)',
      { ids: [...new Set(ids)] },
    );
    return new Map(
      rows.map((row) => [
        Number(row.id),
        {
          id: Number(row.id),
          account: row.account,
          status: row.status,
          content: JSON.parse(row.content) as PushContent,
        },
      ]),
    );
  }

  /**
   * Batch channels (mass): a push's recipients become a stored batch with its key before the send, and a batch is
   * always sent whole, so a repeat after a crash carries the same key and list and WeChat recognises it.
   */
  private async sendBatches(rows: ReadyDelivery[], pushes: Map<number, PushInfo>): Promise<void> {
    const groups = new Map<string, ReadyDelivery[]>();
    for (const row of rows) {
      const key = row.batchId !== null ? `batch:${row.batchId}` : `new:${row.pushId}:${row.channel}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, group] of groups) {
      const parts = key.startsWith('batch:') ? [group] : chunks(group, maxBatchRecipients);
      for (const part of parts) {
        const push = pushes.get(part[0].pushId) as PushInfo;
        const sender = this.senders.get(part[0].channel) as PushSender;
        if (part[0].batchId === null && (await this.cancelledAmong(part)).size > 0) {
          await this.outbox.settle(
            part,
            part.map((row) => ({ id: row.id, status: 'cancelled' as const })),
            this.id,
            this.clock(),
          );
          continue;
        }
        const batch =
          part[0].batchId !== null
            ? await this.batches.get(part[0].batchId)
            : await this.batches.create(
                push.id,
                part[0].channel,
                part.map((row) => row.id),
                this.id,
                this.clock(),
              );
        // Rows another instance took over meanwhile are its to send: this batch is not sent.
        if (!batch) continue;
        const outcome = await this.attempt(sender, {
          account: push.account,
          pushId: push.id,
          batchKey: batch.key,
          content: await this.personalizer.contentFor(push, null),
          recipients: batch.recipients,
        });
        const now = this.clock();
        const settlements = part.map((row) => this.settlementFor(row, outcome, now, true));
        await this.db.transaction(async (transaction) => {
          if (outcome.status !== 'retry') await this.batches.finish(batch.id, outcome, now, transaction);
          await this.outbox.settle(part, settlements, this.id, now, transaction);
        });
        this.count(part[0].channel, settlements);
      }
    }
  }

  /** One-recipient channels: paced, a few waves in flight, each marked as leaving, sent, then settled. */
  private async sendSingles(rows: ReadyDelivery[], pushes: Map<number, PushInfo>): Promise<void> {
    if (rows.length === 0) return;
    const attributes = await this.personalizer.attributesFor(rows, pushes);
    const waveSize = Math.max(1, Math.ceil(this.options.concurrency / lanes));
    const queue = [...rows];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    while (queue.length > 0 && failure === undefined) {
      const wave = queue.splice(0, waveSize);
      const cancelled = await this.cancelledAmong(wave);
      const going = wave.filter((row) => !cancelled.has(row.pushId));
      if (going.length < wave.length) {
        const stopped = wave.filter((row) => cancelled.has(row.pushId));
        await this.outbox.settle(
          stopped,
          stopped.map((row) => ({ id: row.id, status: 'cancelled' as const })),
          this.id,
          this.clock(),
        );
      }
      if (going.length === 0) continue;
      // Everything that could fail is done before the rows are marked as leaving: a row marked is a send on the wire
      // within moments (paced first), and only rows this instance still holds are sent.
      const contents = await Promise.all(
        going.map((row) =>
          this.personalizer.contentFor(
            pushes.get(row.pushId) as PushInfo,
            row.profileId,
            attributes.get(row.profileId),
          ),
        ),
      );
      await Promise.all(going.map(() => this.pacer.acquire()));
      const marked = await this.outbox.markAttempted(
        going.map((row) => row.id),
        this.id,
        this.options.leaseMs,
        this.clock(),
      );
      const leaving = going.flatMap((row, index) => (marked.has(row.id) ? [{ row, content: contents[index] }] : []));
      if (leaving.length === 0) continue;
      const sending: Promise<void> = this.sendWave(leaving, pushes)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= lanes) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // The rest stays claimed: once the lease runs out another round takes it over (nothing of it was marked).
    if (failure !== undefined) throw failure;
  }

  private async sendWave(
    leaving: { row: ReadyDelivery; content: PushContent }[],
    pushes: Map<number, PushInfo>,
  ): Promise<void> {
    const wave = leaving.map(({ row }) => row);
    const outcomes = await Promise.all(
      leaving.map(({ row, content }) => {
        const push = pushes.get(row.pushId) as PushInfo;
        return this.attempt(this.senders.get(row.channel) as PushSender, {
          account: push.account,
          pushId: push.id,
          batchKey: `${push.id}-${row.id}`,
          content,
          recipients: [{ deliveryId: row.id, profileId: row.profileId, openid: row.openid }],
        });
      }),
    );
    const now = this.clock();
    // markAttempted already counted this attempt.
    const settlements = wave.map((row, index) =>
      this.settlementFor({ ...row, attempts: row.attempts + 1 }, outcomes[index], now, false),
    );
    await this.outbox.settle(wave, settlements, this.id, now);
    for (const [index, row] of wave.entries()) this.count(row.channel, [settlements[index]]);
  }

  /** A sender that throws is a bug or an outage: nothing is known to have been sent, so it is retried later. */
  private async attempt(
    sender: PushSender | undefined,
    request: Parameters<PushSender['send']>[0],
  ): Promise<PushSendOutcome> {
    if (!sender) return { status: 'retry', code: 'no_sender' };
    try {
      return await sender.send(request);
    } catch (error) {
      this.log.error({ err: error, push: request.pushId }, 'push sender failed');
      return { status: 'retry', code: 'sender_error' };
    }
  }

  private settlementFor(
    row: ClaimedDelivery,
    outcome: PushSendOutcome,
    now: Date,
    countAttempt: boolean,
  ): DeliverySettlement {
    if (outcome.status === 'sent')
      return { id: row.id, status: 'sent', ...(outcome.externalId ? { externalId: outcome.externalId } : {}) };
    if (outcome.status === 'unconfirmed') return { id: row.id, status: 'sent', unconfirmed: true };
    if (outcome.status === 'failed') return { id: row.id, status: 'failed', code: outcome.code };
    const attempts = row.attempts + (countAttempt ? 1 : 0);
    if (attempts >= this.options.maxAttempts) return { id: row.id, status: 'failed', code: outcome.code };
    const wait = Math.max(retryDelay(this.options.retryBaseMs, attempts), outcome.retryAfterMs ?? 0);
    return { id: row.id, status: 'queued', at: new Date(now.getTime() + wait), countAttempt };
  }

  private count(channel: string, settlements: readonly DeliverySettlement[]): void {
    for (const settlement of settlements) {
      const outcome = settlement.status === 'queued' ? 'retried' : settlement.status;
      this.metrics.pushDeliveries.inc({ channel, outcome });
    }
  }

  private async cancelledAmong(rows: readonly ReadyDelivery[]): Promise<Set<number>> {
    const found = await this.db.select<{ id: number }>(
      "SELECT id FROM pushes WHERE id IN (:ids) AND status = 'cancelled'",
      {
        ids: [...new Set(rows.map((row) => row.pushId))],
      },
    );
    return new Set(found.map((row) => Number(row.id)));
  }
}
