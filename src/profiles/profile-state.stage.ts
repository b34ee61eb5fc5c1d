import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { PipelineStage, ProcessedEvent } from '../ingest/event-pipeline';
import type { AttributeService } from './attribute.service';
import type { SubscriptionService } from './subscription.service';

/** Events that carry how a person arrived through an official account. */
const followTypes = new Set(['subscribe', 'qr_scan']);

/** The source an event attributes: its QR scene, `unknown` for a follow without one, else its channel. */
export function touchSource(event: ProcessedEvent): string {
  const scene = event.properties.scene;
  if (typeof scene === 'string' && scene) return scene;
  if (followTypes.has(event.type)) return 'unknown';
  return event.channel ?? event.source;
}

/**
 * Keeps the profile's own state in step with its events, in the event's transaction: when it was last seen (never
 * moved back: events arrive out of order), its first touch (the earliest event's source and channel), and the
 * follow state per official account (`subscribe` / `unsubscribe` events with an `account` property), and the
 * attributes the event states, ranked by its channel as their source.
 */
export function profileStateStage(
  db: Database,
  subscriptions: SubscriptionService,
  attributes: AttributeService,
): PipelineStage {
  return async (event: ProcessedEvent, transaction: Transaction) => {
    const earliest = 'first_touch_at IS NULL OR first_touch_at > :at';
    await db.execute(
      `UPDATE profiles SET
         last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < :at THEN :at ELSE last_seen_at END,
         first_touch_source = CASE WHEN ${earliest} THEN :source ELSE first_touch_source END,
         first_touch_channel = CASE WHEN ${earliest} THEN :channel ELSE first_touch_channel END,
         first_touch_at = CASE WHEN ${earliest} THEN :at ELSE first_touch_at END,
         updated_at = :now
       WHERE id = :id`,
      {
        id: event.profileId,
        source: touchSource(event).slice(0, 128),
        channel: event.channel,
        at: event.occurredAt,
        now: new Date(),
      },
      transaction,
    );
    if (Object.keys(event.attributes).length > 0) {
      await attributes.apply(
        {
          profileId: event.profileId,
          values: event.attributes,
          source: event.channel ?? event.source,
          at: event.occurredAt,
          key: event.sourceKey,
        },
        transaction,
      );
    }
    const account = event.properties.account;
    if ((event.type === 'subscribe' || event.type === 'unsubscribe') && typeof account === 'string') {
      await subscriptions.apply(
        {
          profileId: event.profileId,
          account,
          subscribed: event.type === 'subscribe',
          at: event.occurredAt,
          source: touchSource(event).slice(0, 128),
          channel: event.channel,
        },
        transaction,
      );
    }
  };
}
