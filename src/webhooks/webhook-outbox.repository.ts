import type { Transaction } from 'sequelize';
import type { Secret } from '../config/secret';
import type { Database } from '../db/database';
import { LeasedQueue } from '../db/leased-queue';
import { ConflictError, NotFoundError } from '../errors/app.errors';
import type { NewTimelineEvent } from '../timeline/timeline.service';
import type { Clock } from '../util/clock';
import { Keyset, type Page, type PageRequest } from '../util/paging';
import { type WebhookEventName, webhookEventFor } from './webhook-events';

export interface WebhookSubscriber {
  name: string;
  url: string;
  secret: Secret;
  events: readonly WebhookEventName[];
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

/** `GET /api/webhooks/deliveries`: newest first by id. */
const deliveryPages = new Keyset<{ id: number }>({
  list: 'deliveries',
  keys: [{ column: 'id', kind: 'id' }],
  direction: 'desc',
  keyOf: (row) => [Number(row.id)],
});

/** A claimed delivery, ready to send. */
export interface DueDelivery {
  id: number;
  subscriber: string;
  eventId: string;
  eventName: string;
  profileId: number | null;
  payload: string;
  attempts: number;
}

/** A delivery as the API shows it. */
export interface DeliveryView {
  id: number;
  subscriber: string;
  eventId: string;
  event: string;
  profileId: number | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

interface DeliveryRow {
  id: number;
  subscriber: string;
  event_id: string;
  event_name: string;
  profile_id: number | null;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  available_at: unknown;
  created_at: unknown;
  delivered_at: unknown;
}

/**
 * The outbound webhook outbox. A timeline event that a subscriber wants becomes one row per subscriber, in the
 * transaction that wrote the event (so nothing is announced that didn't happen, and nothing that happened is
 * missed); the delivery worker claims due rows from the leased queue and sends them at least once. Receivers dedupe on the
 * event id, the same for every subscriber and every retry.
 */
export class WebhookOutbox {
  private readonly queue: LeasedQueue;

  constructor(
    private readonly db: Database,
    private readonly subscribers: readonly WebhookSubscriber[],
    private readonly clock: Clock,
  ) {
    this.queue = new LeasedQueue(db, {
      table: 'webhook_deliveries',
      waiting: 'pending',
      leased: 'delivering',
      parked: { status: 'failed' },
      claimOrder: 'id',
    });
  }

  subscriber(name: string): WebhookSubscriber | undefined {
    return this.subscribers.find((subscriber) => subscriber.name === name);
  }

  /** The timeline listener: queues the event for every subscriber that wants it. Idempotent by (subscriber, event). */
  readonly enqueue = async (event: NewTimelineEvent & { id: number }, transaction: Transaction): Promise<void> => {
    const name = webhookEventFor(event.type);
    if (!name) return;
    const targets = this.subscribers.filter((subscriber) => subscriber.events.includes(name));
    if (targets.length === 0) return;
    const eventId = `evt_${event.id}`;
    const payload = JSON.stringify({
      id: eventId,
      type: name,
      occurredAt: event.occurredAt.toISOString(),
      profileId: event.profileId,
      data: event.properties,
    });
    const now = this.clock();
    await this.db.execute(
      `${this.db.insertIgnoreInto} webhook_deliveries
         (subscriber, event_id, event_name, profile_id, payload, status, attempts, available_at, created_at)
       VALUES ${targets.map(() => "(?, ?, ?, ?, ?, 'pending', 0, ?, ?)").join(', ')}`,
      targets.flatMap((subscriber) => [subscriber.name, eventId, name, event.profileId, payload, now, now]),
      transaction,
    );
  };

  /** Claims up to `limit` due deliveries for `worker` until `leaseMs` from now. */
  async claim(worker: string, limit: number, leaseMs: number): Promise<DueDelivery[]> {
    const rows = await this.queue.claim<DeliveryRow>(worker, {
      limit,
      leaseMs,
      now: this.clock(),
      columns: 'id, subscriber, event_id, event_name, profile_id, payload, attempts',
    });
    return rows.map((row) => ({
      id: Number(row.id),
      subscriber: row.subscriber,
      eventId: row.event_id,
      eventName: row.event_name,
      profileId: row.profile_id === null ? null : Number(row.profile_id),
      payload: row.payload,
      attempts: Number(row.attempts),
    }));
  }

  async markDelivered(id: number): Promise<void> {
    await this.queue.finish([id], 'delivered', {
      set: 'attempts = attempts + 1, delivered_at = :now, last_error = NULL',
      values: { now: this.clock() },
    });
  }

  /** Back to the queue after `retryInMs`, or parked as failed (the dead-letter list) when it is null. */
  markAttemptFailed(id: number, error: string, retryInMs: number | null): Promise<void> {
    return this.queue.failAttempt(id, error, retryInMs, this.clock());
  }

  /** Deliveries whose instance died mid-send go back to the queue once their lease has run out. */
  releaseExpired(): Promise<number> {
    return this.queue.releaseExpired(this.clock());
  }

  /** A failed delivery goes back to the queue with a fresh set of attempts. */
  async retry(id: number): Promise<DeliveryView> {
    const now = this.clock();
    const changed = await this.db.execute(
      "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, available_at = ?, last_error = NULL WHERE id = ? AND status = 'failed'",
      [now, id],
    );
    const [view] = (await this.list({ id, limit: 1 })).items;
    if (!view) throw new NotFoundError(`no webhook delivery ${id}`);
    if (changed === 0)
      throw new ConflictError(`webhook delivery ${id} is ${view.status}: only failed deliveries can be retried`);
    return view;
  }

  /** Newest first, a page at a time. */
  async list(
    filter: PageRequest & { status?: DeliveryStatus; subscriber?: string; id?: number },
  ): Promise<Page<DeliveryView>> {
    const page = deliveryPages.clause(filter);
    const where: string[] = [page.where];
    const values: Record<string, unknown> = { ...page.values };
    for (const [column, value] of [
      ['status', filter.status],
      ['subscriber', filter.subscriber],
      ['id', filter.id],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = :${column}`);
      values[column] = value;
    }
    const rows = await this.db.select<DeliveryRow>(
      `SELECT id, subscriber, event_id, event_name, profile_id, status, attempts, last_error, available_at, created_at, delivered_at
         FROM webhook_deliveries WHERE ${where.join(' AND ')} ${page.orderAndLimit}`,
      values,
    );
    const time = (value: unknown) => this.db.parseTime(value)?.toISOString() ?? null;
    return deliveryPages.page(rows, filter, (row) => ({
      id: Number(row.id),
      subscriber: row.subscriber,
      eventId: row.event_id,
      event: row.event_name,
      profileId: row.profile_id === null ? null : Number(row.profile_id),
      status: row.status,
      attempts: Number(row.attempts),
      lastError: row.last_error,
      createdAt: time(row.created_at) ?? '',
      nextAttemptAt: row.status === 'pending' ? time(row.available_at) : null,
      deliveredAt: time(row.delivered_at),
    }));
  }

  /** Rows not yet delivered (pending or in flight). */
  depth(): Promise<number> {
    return this.queue.depth();
  }
}
