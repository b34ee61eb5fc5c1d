import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database';
import { retryAfterMs } from '../util/retry-after';
import { signTimestampedHmac } from '../util/timestamped-hmac';
import { maxRetryDelayMs, retryDelay } from '../db/leased-queue';
import { PollingWorker } from '../jobs/polling-worker';
import { liveProfileId } from '../profiles/live-profile';
import { sharedIdentitiesOf } from '../profiles/profile-lookups';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import type { Clock } from '../util/clock';
import type { DueDelivery, WebhookOutbox } from './webhook-outbox.repository';

export interface WebhookDeliveryOptions {
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  pollIntervalMs: number;
  batchSize: number;
  leaseMs: number;
}

/**
 * Sends the outbox: claims due deliveries under a lease, POSTs each (signed like the inbound CRM webhook:
 * `X-Persona-Timestamp` and `X-Persona-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`), and
 * records a 2xx as delivered; anything else (an error status, a timeout, a refused connection) is retried with
 * exponential backoff, or after a `Retry-After` the receiver asked for, until the attempts are used up.
 */
export class WebhookDeliveryWorker extends PollingWorker {
  readonly id = `webhooks-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Database,
    private readonly outbox: WebhookOutbox,
    private readonly options: WebhookDeliveryOptions,
    log: Logger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly notices?: NoticeBoard,
  ) {
    super('webhook delivery worker', options.pollIntervalMs, log);
  }

  /** One claim-and-send round (the batch in parallel); answers how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    await this.outbox.releaseExpired();
    const batch = await this.outbox.claim(this.id, this.options.batchSize, this.options.leaseMs);
    await Promise.all(batch.map((delivery) => this.deliver(delivery)));
    return batch.length;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const subscriber = this.outbox.subscriber(delivery.subscriber);
    if (!subscriber) {
      // Removed from config since it was queued: nobody to send it to. Parked, not lost, should it come back.
      await this.outbox.markAttemptFailed(
        delivery.id,
        `subscriber "${delivery.subscriber}" is no longer configured`,
        null,
      );
      return;
    }
    let failure: { message: string; retryAfterMs?: number };
    try {
      const body = await this.body(delivery);
      const timestamp = Math.floor(this.clock().getTime() / 1000);
      const response = await fetch(subscriber.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Persona-Webhooks',
          'x-persona-event': delivery.eventName,
          'x-persona-delivery': delivery.eventId,
          'x-persona-timestamp': String(timestamp),
          'x-persona-signature': signTimestampedHmac(subscriber.secret.reveal(), timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await response.text().catch(() => '');
      if (response.ok) {
        await this.outbox.markDelivered(delivery.id);
        this.metrics.webhookDeliveries.inc({ subscriber: subscriber.name, outcome: 'delivered' });
        return;
      }
      failure = {
        message: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after'), this.clock().getTime()),
      };
    } catch (error) {
      failure = { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    const attempts = delivery.attempts + 1;
    const permanent = attempts >= this.options.maxAttempts;
    const backoff = retryDelay(this.options.retryBaseMs, attempts);
    const retryInMs = permanent ? null : Math.min(Math.max(backoff, failure.retryAfterMs ?? 0), maxRetryDelayMs);
    this.metrics.webhookDeliveries.inc({ subscriber: subscriber.name, outcome: permanent ? 'failed' : 'retried' });
    this.log[permanent ? 'error' : 'warn'](
      { subscriber: subscriber.name, delivery: delivery.eventId, attempts, retryInMs, error: failure.message },
      permanent ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry',
    );
    await this.outbox.markAttemptFailed(delivery.id, failure.message, retryInMs);
    if (permanent)
      this.notices?.post({
        kind: 'webhook.dead_lettered',
        subscriber: subscriber.name,
        deliveryId: delivery.id,
        error: failure.message,
      });
  }

  /**
   * The stored payload plus who the person is now: the receiving CRM needs its own lead id (and email, phone) to
   * find the record. Read at send time, so a merge since is followed and an erased person is not sent.
   */
  private async body(delivery: DueDelivery): Promise<string> {
    const payload = JSON.parse(delivery.payload) as Record<string, unknown>;
    if (delivery.profileId === null) return JSON.stringify(payload);
    const profileId = await liveProfileId(this.db, delivery.profileId);
    const identities = await sharedIdentitiesOf(this.db, profileId);
    return JSON.stringify({ ...payload, profileId, identities });
  }
}
