import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { LeasedQueue } from '../db/leased-queue';
import { personaEventSource } from '../timeline/persona-event-types';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';
import type { NewTimelineEvent, TimelineService } from '../timeline/timeline.service';

/** A delivery row claimed for sending. A row decided before (re-claimed after a crash or a retry) keeps its channel. */
export interface ClaimedDelivery {
  id: number;
  pushId: number;
  profileId: number;
  channel: string | null;
  /** The openid the decision was made for (set with the channel). */
  openid: string | null;
  decided: boolean;
  batchId: number | null;
  attempts: number;
}

/** What becomes of a claimed row. `queued` hands it back (a retry, or an unused claim); `decided` keeps it to send. */
export type DeliverySettlement =
  | { id: number; status: 'sent'; externalId?: string; unconfirmed?: boolean }
  | { id: number; status: 'failed'; code: string }
  | { id: number; status: 'skipped'; reason: string }
  | { id: number; status: 'deferred'; reason: string; until: Date }
  | { id: number; status: 'cancelled' }
  /** Back to the queue; a row not in a batch is decided again when next claimed (the policy looks anew). */
  | { id: number; status: 'queued'; at: Date; countAttempt: boolean }
  | { id: number; status: 'decided'; channel: string; openid: string };

interface ClaimRow {
  id: number;
  push_id: number;
  profile_id: number;
  channel: string | null;
  openid: string | null;
  decided_at: unknown;
  batch_id: number | null;
  attempts: number;
}

/** A row going back to the queue forgets its decision, unless it is in a mass batch (sent again under its key). */
const undecided = ['channel', 'openid', 'decided_at']
  .map((column) => `${column} = CASE WHEN batch_id IS NULL THEN NULL ELSE ${column} END`)
  .join(', ');

/** The timeline event a settlement puts on the follower's timeline, if any. */
function timelineEvent(
  row: { pushId: number; profileId: number; channel: string | null },
  settlement: DeliverySettlement,
  at: Date,
): NewTimelineEvent | undefined {
  const base = {
    profileId: row.profileId,
    channel: 'wechat',
    source: personaEventSource,
    occurredAt: at,
    receivedAt: at,
  };
  switch (settlement.status) {
    case 'sent':
      return {
        ...base,
        type: 'push_sent',
        sourceKey: `push:${row.pushId}:${row.profileId}:sent`,
        properties: { pushId: row.pushId, via: row.channel, ...(settlement.unconfirmed ? { unconfirmed: true } : {}) },
      };
    case 'failed':
      return {
        ...base,
        type: 'push_failed',
        sourceKey: `push:${row.pushId}:${row.profileId}:failed`,
        properties: { pushId: row.pushId, via: row.channel, code: settlement.code },
      };
    case 'skipped':
      return {
        ...base,
        type: 'push_skipped',
        sourceKey: `push:${row.pushId}:${row.profileId}:skipped`,
        properties: { pushId: row.pushId, reason: settlement.reason },
      };
    default:
      return undefined;
  }
}

/**
 * The push outbox: delivery rows claimed from the leased queue (instances never claim the same row), settled in
 * groups — each group one statement, with the timeline events of what was sent,
 * failed or skipped in the same transaction, so a row's status and the follower's timeline never disagree.
 */
export class PushOutbox {
  private readonly queue: LeasedQueue;

  constructor(
    private readonly db: Database,
    private readonly timeline: TimelineService,
  ) {
    this.queue = new LeasedQueue(db, {
      table: 'push_deliveries',
      waiting: 'queued',
      leased: 'sending',
      claimOrder: 'available_at, id',
    });
  }

  /** Deferred rows whose time has come are queued again (checked by the policy anew). */
  async wakeDeferred(now: Date): Promise<number> {
    return this.db.execute(
      "UPDATE push_deliveries SET status = 'queued' WHERE status = 'deferred' AND available_at <= ?",
      [now],
    );
  }

  async claim(
    worker: string,
    limit: number,
    leaseMs: number,
    now: Date,
  ): Promise<{ rows: ClaimedDelivery[]; lockedUntil: Date }> {
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.queue.claim<ClaimRow>(worker, {
      limit,
      leaseMs,
      now,
      columns: 'id, push_id, profile_id, channel, openid, decided_at, batch_id, attempts',
    });
    return {
      lockedUntil,
      rows: rows.map((row) => ({
        id: Number(row.id),
        pushId: Number(row.push_id),
        profileId: Number(row.profile_id),
        channel: row.channel,
        openid: row.openid,
        decided: row.decided_at !== null,
        batchId: row.batch_id === null ? null : Number(row.batch_id),
        attempts: Number(row.attempts),
      })),
    };
  }

  /**
   * Rows whose holder's lease ran out (the instance died or stalled). A one-recipient send that had already left
   * (`attempted_at`) may well have arrived: it is not sent again (a follower must never get a push twice) but
   * recorded as sent, unconfirmed. Everything else goes back to the queue: a mass batch keeps its decision and is
   * sent again under its own key, which WeChat recognises; any other row is decided again.
   */
  async recoverExpired(now: Date): Promise<{ requeued: number; unconfirmed: number; pushIds: number[] }> {
    return this.db.transaction(async (transaction) => {
      const expired = await this.queue.expired<ClaimRow & { attempted_at: unknown }>(
        'id, push_id, profile_id, channel, decided_at, batch_id, attempts, attempted_at',
        now,
        transaction,
      );
      const inDoubt = expired.filter((row) => row.attempted_at !== null && row.batch_id === null);
      const requeue = expired.filter((row) => !inDoubt.includes(row));
      await this.queue.release(
        requeue.map((row) => row.id),
        transaction,
        undecided,
      );
      const rows = inDoubt.map((row) => ({
        id: Number(row.id),
        pushId: Number(row.push_id),
        profileId: Number(row.profile_id),
        channel: row.channel,
      }));
      await this.settleRows(
        rows,
        rows.map((row) => ({ id: row.id, status: 'sent', unconfirmed: true })),
        null,
        now,
        transaction,
      );
      return {
        requeued: requeue.length,
        unconfirmed: inDoubt.length,
        pushIds: [...new Set(expired.map((row) => Number(row.push_id)))],
      };
    });
  }

  /**
   * Marks one-recipient sends as leaving now (found in flight after a crash, they won't be sent again), those of
   * `ids` that `worker` still holds under an unexpired lease; answers those. Only they may be sent: a row whose lease
   * ran out may be another instance's by now.
   */
  async markAttempted(ids: readonly number[], worker: string, leaseMs: number, now: Date): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    return this.db.transaction(async (transaction) => {
      const held = [...(await this.queue.heldBy(ids, worker, transaction, { unexpiredAt: now }))];
      if (held.length > 0) {
        await this.db.execute(
          'UPDATE push_deliveries SET attempted_at = :now, attempts = attempts + 1, locked_until = :until WHERE id IN (:held)',
          { now, held, until: new Date(now.getTime() + leaseMs) },
          transaction,
        );
      }
      return new Set(held);
    });
  }

  /** Extends the lease of every row `worker` is sending. */
  renew(worker: string, leaseMs: number, now: Date): Promise<void> {
    return this.queue.renew(worker, leaseMs, now);
  }

  /**
   * Settles claimed rows (only while `worker` still holds them, when given) and puts what the follower experienced on
   * their timeline, in `transaction` or a new one.
   */
  async settle(
    rows: readonly { id: number; pushId: number; profileId: number; channel: string | null }[],
    settlements: readonly DeliverySettlement[],
    worker: string | null,
    now: Date,
    transaction?: Transaction,
  ): Promise<void> {
    if (settlements.length === 0) return;
    if (transaction) return this.settleRows(rows, settlements, worker, now, transaction);
    await this.db.transaction((own) => this.settleRows(rows, settlements, worker, now, own));
  }

  private async settleRows(
    rows: readonly { id: number; pushId: number; profileId: number; channel: string | null }[],
    settlements: readonly DeliverySettlement[],
    worker: string | null,
    now: Date,
    transaction: Transaction,
  ): Promise<void> {
    if (worker !== null && settlements.length > 0) {
      // A row whose lease another instance took over (this one stalled) is that instance's now: leave it be.
      const held = await this.queue.heldBy(
        settlements.map((settlement) => settlement.id),
        worker,
        transaction,
      );
      settlements = settlements.filter((settlement) => held.has(settlement.id));
    }
    if (settlements.length === 0) return;
    /** Rows settled alike share one statement; `perRow` is a column whose value differs by row (a CASE on id). */
    const groups = new Map<
      string,
      { sql: string; values: unknown[]; ids: number[]; perRow?: { column: string; values: [number, string][] } }
    >();
    const group = (key: string, sql: string, values: unknown[]) => {
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { sql, values, ids: [] }));
      return entry;
    };
    const released = 'locked_by = NULL, locked_until = NULL';
    for (const settlement of settlements) {
      switch (settlement.status) {
        case 'sent': {
          const entry = group(
            `sent:${settlement.unconfirmed ? 'u' : ''}`,
            `status = 'sent', error_code = ?, finished_at = ?, ${released}`,
            [settlement.unconfirmed ? 'unconfirmed' : null, now],
          );
          entry.ids.push(settlement.id);
          if (settlement.externalId)
            (entry.perRow ??= { column: 'external_id', values: [] }).values.push([
              settlement.id,
              settlement.externalId,
            ]);
          break;
        }
        case 'failed':
          group(`failed:${settlement.code}`, `status = 'failed', error_code = ?, finished_at = ?, ${released}`, [
            settlement.code,
            now,
          ]).ids.push(settlement.id);
          break;
        case 'skipped':
          group(`skipped:${settlement.reason}`, `status = 'skipped', reason = ?, finished_at = ?, ${released}`, [
            settlement.reason,
            now,
          ]).ids.push(settlement.id);
          break;
        case 'deferred':
          group(
            `deferred:${settlement.reason}:${settlement.until.getTime()}`,
            `status = 'deferred', reason = ?, available_at = ?, ${released}`,
            [settlement.reason, settlement.until],
          ).ids.push(settlement.id);
          break;
        case 'cancelled':
          group('cancelled', `status = 'cancelled', finished_at = ?, ${released}`, [now]).ids.push(settlement.id);
          break;
        case 'queued':
          group(
            `queued:${settlement.at.getTime()}:${settlement.countAttempt}`,
            `status = 'queued', available_at = ?, ${settlement.countAttempt ? 'attempts = attempts + 1, ' : ''}attempted_at = NULL, ${undecided}, ${released}`,
            [settlement.at],
          ).ids.push(settlement.id);
          break;
        case 'decided': {
          const entry = group(`decided:${settlement.channel}`, 'channel = ?, decided_at = ?, reason = NULL', [
            settlement.channel,
            now,
          ]);
          entry.ids.push(settlement.id);
          (entry.perRow ??= { column: 'openid', values: [] }).values.push([settlement.id, settlement.openid]);
          break;
        }
      }
    }
    for (const entry of groups.values()) {
      const perRowOf = new Map(entry.perRow?.values);
      for (const ids of chunks(entry.ids, maxChainedTerms)) {
        let perRow = '';
        const perRowValues: unknown[] = [];
        const named = ids.filter((id) => perRowOf.has(id));
        if (entry.perRow && named.length > 0) {
          const { column } = entry.perRow;
          perRow = `, ${column} = CASE id ${named.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ${column} END`;
          for (const id of named) perRowValues.push(id, perRowOf.get(id));
        }
        await this.db.execute(
          `UPDATE push_deliveries SET ${entry.sql}${perRow} WHERE id IN (${ids.map(() => '?').join(', ')})`,
          [...entry.values, ...perRowValues, ...ids],
          transaction,
        );
      }
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    const events = settlements.flatMap((settlement) => {
      const row = byId.get(settlement.id);
      const event = row && timelineEvent(row, settlement, now);
      return event ? [event] : [];
    });
    if (events.length > 0) {
      const fresh = await this.timeline.existingKeys(
        events.map((event) => event.sourceKey),
        transaction,
      );
      await this.timeline.appendMany(
        events.filter((event) => !fresh.has(event.sourceKey)),
        transaction,
      );
    }
  }

  /**
   * Pushes among `pushIds` with nothing left to send are done; answers those this call finished (each push is
   * finished by one call, whichever instance makes it: the status is the referee).
   */
  async finishPushes(pushIds: readonly number[], now: Date): Promise<number[]> {
    if (pushIds.length === 0) return [];
    const unfinished = `status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.push_id = pushes.id AND d.status IN ('queued', 'deferred', 'sending'))`;
    const candidates = await this.db.select<{ id: number }>(
      `SELECT id FROM pushes WHERE id IN (:pushIds) AND ${unfinished}`,
      { pushIds },
    );
    const finished: number[] = [];
    for (const { id } of candidates) {
      const changed = await this.db.execute(
        `UPDATE pushes SET status = 'done', finished_at = :now WHERE id = :id AND ${unfinished}`,
        { now, id },
      );
      if (changed > 0) finished.push(Number(id));
    }
    return finished;
  }
}
