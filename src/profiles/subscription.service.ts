import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/** A profile's relation to one official account. */
export interface SubscriptionView {
  account: string;
  subscribed: boolean;
  firstSubscribedAt: string | null;
  subscribedAt: string | null;
  unsubscribedAt: string | null;
  /** How they first arrived: a QR scene such as `store-0217`, or `unknown`. */
  source: string | null;
  channel: string | null;
}

export interface SubscriptionChange {
  profileId: number;
  account: string;
  subscribed: boolean;
  at: Date;
  source: string | null;
  channel: string | null;
}

interface SubscriptionRow {
  account: string;
  subscribed: number | boolean;
  first_subscribed_at: unknown;
  subscribed_at: unknown;
  unsubscribed_at: unknown;
  source: string | null;
  channel: string | null;
  changed_at: unknown;
}

/**
 * Follow state per (profile, account). A change applies only if it is newer than the one that set the current state,
 * so a follow and an unfollow processed out of order end in the right state. The first follow's source and channel
 * are kept: following again later doesn't rewrite how the person arrived.
 */
export class SubscriptionService {
  constructor(private readonly db: Database) {}

  async apply(change: SubscriptionChange, transaction: Transaction): Promise<void> {
    const [current] = await this.db.select<SubscriptionRow>(
      `SELECT account, subscribed, first_subscribed_at, subscribed_at, unsubscribed_at, source, channel, changed_at
         FROM subscriptions WHERE profile_id = :profileId AND account = :account${this.db.forUpdate}`,
      { profileId: change.profileId, account: change.account },
      transaction,
    );
    const follow = change.subscribed;
    if (!current) {
      await this.db.execute(
        `INSERT INTO subscriptions (profile_id, account, subscribed, first_subscribed_at, subscribed_at, unsubscribed_at,
           source, channel, changed_at)
         VALUES (:profileId, :account, :subscribed, :followedAt, :followedAt, :unfollowedAt, :source, :channel, :at)`,
        {
          profileId: change.profileId,
          account: change.account,
          subscribed: follow,
          followedAt: follow ? change.at : null,
          unfollowedAt: follow ? null : change.at,
          source: follow ? change.source : null,
          channel: follow ? change.channel : null,
          at: change.at,
        },
        transaction,
      );
      return;
    }
    const changedAt = this.db.parseTime(current.changed_at);
    const newer = !changedAt || change.at.getTime() >= changedAt.getTime();
    if (follow) {
      await this.db.execute(
        `UPDATE subscriptions SET
           first_subscribed_at = CASE WHEN first_subscribed_at IS NULL OR first_subscribed_at > :at THEN :at ELSE first_subscribed_at END,
           source = COALESCE(source, :source), channel = COALESCE(channel, :channel)
           ${newer ? ', subscribed = :yes, subscribed_at = :at, changed_at = :at' : ''}
         WHERE profile_id = :profileId AND account = :account`,
        { ...change, yes: true },
        transaction,
      );
    } else if (newer) {
      await this.db.execute(
        `UPDATE subscriptions SET subscribed = :no, unsubscribed_at = :at, changed_at = :at
          WHERE profile_id = :profileId AND account = :account`,
        { ...change, no: false },
        transaction,
      );
    }
  }

  async list(profileId: number): Promise<SubscriptionView[]> {
    const rows = await this.db.select<SubscriptionRow>(
      `SELECT account, subscribed, first_subscribed_at, subscribed_at, unsubscribed_at, source, channel, changed_at
         FROM subscriptions WHERE profile_id = :profileId ORDER BY account`,
      { profileId },
    );
    const iso = (value: unknown) => this.db.parseTime(value)?.toISOString() ?? null;
    return rows.map((row) => ({
      account: row.account,
      subscribed: Boolean(Number(row.subscribed)),
      firstSubscribedAt: iso(row.first_subscribed_at),
      subscribedAt: iso(row.subscribed_at),
      unsubscribedAt: iso(row.unsubscribed_at),
      source: row.source,
      channel: row.channel,
    }));
  }
}
