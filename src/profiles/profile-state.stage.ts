import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { PipelineStage, ProcessedEvent } from '../ingest/event-pipeline';
import type { AttributeService } from './attribute.service';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';
import type { SubscriptionChange, SubscriptionService } from './subscription.service';
import type { Clock } from '../util/clock';

/** Events that carry how a person arrived through an official account. */
const followTypes = new Set(['subscribe', 'qr_scan']);

/** The source an event attributes: its QR scene, `unknown` for a follow without one, else its channel. */
export function touchSource(event: ProcessedEvent): string {
  const scene = event.properties.scene;
  if (typeof scene === 'string' && scene) return scene;
  if (followTypes.has(event.type)) return 'unknown';
  return event.channel ?? event.source;
}

/** What a run of events says about one profile's own columns. */
interface ProfileTouch {
  profileId: number;
  /** The latest event. */
  lastSeenAt: Date;
  /** The earliest event (the first of them at equal times), a candidate for the first touch. */
  first: ProcessedEvent;
}

/**
 * Keeps the profile's own state in step with its events, in the events' transaction: when it was last seen (never
 * moved back: events arrive out of order), its first touch (the earliest event's source and channel), and the
 * follow state per official account (`subscribe` / `unsubscribe` events with an `account` property), and the
 * attributes the event states, ranked by the source the intake gave them (else the channel). The profiles' own
 * columns take one statement for all the events.
 */
export function profileStateStage(
  db: Database,
  subscriptions: SubscriptionService,
  attributes: AttributeService,
  clock: Clock,
): PipelineStage {
  return async (events: readonly ProcessedEvent[], transaction: Transaction) => {
    await touchProfiles(db, events, clock(), transaction);
    for (const event of events) {
      if (Object.keys(event.attributes).length === 0) continue;
      await attributes.apply(
        {
          profileId: event.profileId,
          values: event.attributes,
          source: event.attributeSource ?? event.channel ?? event.source,
          at: event.occurredAt,
          key: event.sourceKey,
        },
        transaction,
      );
    }
    await subscriptions.applyMany(
      events.flatMap((event): SubscriptionChange[] => {
        const account = event.properties.account;
        if ((event.type !== 'subscribe' && event.type !== 'unsubscribe') || typeof account !== 'string') return [];
        const source = touchSource(event).slice(0, 128);
        return [
          {
            profileId: event.profileId,
            account,
            subscribed: event.type === 'subscribe',
            at: event.occurredAt,
            source,
            channel: event.channel,
          },
        ];
      }),
      transaction,
    );
  };
}

/**
 * Last seen and first touch of every profile the events are on: one UPDATE (a CASE per column over the ids) per
 * `maxChainedTerms` profiles.
 */
async function touchProfiles(
  db: Database,
  events: readonly ProcessedEvent[],
  now: Date,
  transaction: Transaction,
): Promise<void> {
  const touches = new Map<number, ProfileTouch>();
  for (const event of events) {
    const touch = touches.get(event.profileId);
    if (!touch) {
      touches.set(event.profileId, { profileId: event.profileId, lastSeenAt: event.occurredAt, first: event });
      continue;
    }
    if (event.occurredAt > touch.lastSeenAt) touch.lastSeenAt = event.occurredAt;
    if (event.occurredAt < touch.first.occurredAt) touch.first = event;
  }
  for (const part of chunks([...touches.values()], maxChainedTerms)) await touchPart(db, part, now, transaction);
}

async function touchPart(
  db: Database,
  touches: readonly ProfileTouch[],
  now: Date,
  transaction: Transaction,
): Promise<void> {
  const replacements: Record<string, unknown> = { now, ids: touches.map((touch) => touch.profileId) };
  const byId = (name: string, value: (touch: ProfileTouch) => unknown): string => {
    const arms = touches.map((touch, index) => {
      replacements[`${name}${index}`] = value(touch);
      replacements[`id${index}`] = touch.profileId;
      return `WHEN :id${index} THEN :${name}${index}`;
    });
    return `(CASE id ${arms.join(' ')} END)`;
  };
  const seen = byId('seen', (touch) => touch.lastSeenAt);
  const at = byId('at', (touch) => touch.first.occurredAt);
  const source = byId('source', (touch) => touchSource(touch.first).slice(0, 128));
  const channel = byId('channel', (touch) => touch.first.channel);
  // MySQL assigns left to right, each assignment seeing the ones before: first_touch_at is compared before it moves.
  const earliest = `first_touch_at IS NULL OR first_touch_at > ${at}`;
  await db.execute(
    `UPDATE profiles SET
       last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ${seen} THEN ${seen} ELSE last_seen_at END,
       first_touch_source = CASE WHEN ${earliest} THEN ${source} ELSE first_touch_source END,
       first_touch_channel = CASE WHEN ${earliest} THEN ${channel} ELSE first_touch_channel END,
       first_touch_at = CASE WHEN ${earliest} THEN ${at} ELSE first_touch_at END,
       updated_at = :now
     WHERE id IN (:ids)`,
    replacements,
    transaction,
  );
}
