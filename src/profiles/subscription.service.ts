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

/** A subscription row's contents. */
interface FollowState {
  subscribed: boolean;
  firstSubscribedAt: Date | null;
  subscribedAt: Date | null;
  unsubscribedAt: Date | null;
  source: string | null;
  channel: string | null;
  changedAt: Date | null;
}

/**
 * What a follow or an unfollow makes of a subscription (none yet: undefined). The first follow is the earliest
 * one seen, with its source and channel; the state is the newest change's (an older one processed late leaves it).
 */
function followed(current: FollowState | undefined, change: SubscriptionChange): FollowState {
  const follow = change.subscribed;
  if (!current) {
    return {
      subscribed: follow,
      firstSubscribedAt: follow ? change.at : null,
      subscribedAt: follow ? change.at : null,
      unsubscribedAt: follow ? null : change.at,
      source: follow ? change.source : null,
      channel: follow ? change.channel : null,
      changedAt: change.at,
    };
  }
  const newer = !current.changedAt || change.at.getTime() >= current.changedAt.getTime();
  if (follow) {
    const first =
      current.firstSubscribedAt === null || current.firstSubscribedAt > change.at
        ? change.at
        : current.firstSubscribedAt;
    const next = {
      ...current,
      firstSubscribedAt: first,
      source: current.source ?? change.source,
      channel: current.channel ?? change.channel,
    };
    return newer ? { ...next, subscribed: true, subscribedAt: change.at, changedAt: change.at } : next;
  }
  return newer ? { ...current, subscribed: false, unsubscribedAt: change.at, changedAt: change.at } : current;
}

/**
 * Follow state per (profile, account). A change applies only if it is newer than the one that set the current state,
 * so a follow and an unfollow processed out of order end in the right state. The first follow's source and channel
 * are kept: following again later doesn't rewrite how the person arrived.
 */
export class SubscriptionService {
  constructor(private readonly db: Database) {}

  /**
   * Several changes in order: one read of the rows they touch, one upsert of what those rows become. The caller
   * holds the profiles' row locks (the pipeline, merges), which keeps other writers of these rows out.
   */
  async applyMany(changes: readonly SubscriptionChange[], transaction: Transaction): Promise<void> {
    if (changes.length === 0) return;
    const keyOf = (profileId: number, account: string) => `${profileId}\u0000${account}`;
    const rows = await this.db.select<SubscriptionRow & { profile_id: number }>(
      `SELECT profile_id, account, subscribed, first_subscribed_at, subscribed_at, unsubscribed_at, source, channel, changed_at
         FROM subscriptions WHERE profile_id IN (:profiles) AND account IN (:accounts)`,
      {
        profiles: [...new Set(changes.map((change) => change.profileId))],
        accounts: [...new Set(changes.map((change) => change.account))],
      },
      transaction,
    );
    const state = new Map<string, FollowState>();
    for (const row of rows) {
      state.set(keyOf(Number(row.profile_id), row.account), {
        subscribed: Boolean(Number(row.subscribed)),
        firstSubscribedAt: this.db.parseTime(row.first_subscribed_at),
        subscribedAt: this.db.parseTime(row.subscribed_at),
        unsubscribedAt: this.db.parseTime(row.unsubscribed_at),
        source: row.source,
        channel: row.channel,
        changedAt: this.db.parseTime(row.changed_at),
      });
    }
    const touched = new Map<string, SubscriptionChange>();
    for (const change of changes) {
      const key = keyOf(change.profileId, change.account);
      state.set(key, followed(state.get(key), change));
      touched.set(key, change);
    }
    const written = [...touched].map(([key, change]) => ({ change, row: state.get(key) as FollowState }));
    await this.db.execute(
      `INSERT INTO subscriptions (profile_id, account, subscribed, first_subscribed_at, subscribed_at, unsubscribed_at, source, channel, changed_at)
       VALUES ${written.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}${this.db.onConflictUpdate(
         ['profile_id', 'account'],
         ['subscribed', 'first_subscribed_at', 'subscribed_at', 'unsubscribed_at', 'source', 'channel', 'changed_at'],
       )}`,
      written.flatMap(({ change, row }) => [
        change.profileId,
        change.account,
        row.subscribed,
        row.firstSubscribedAt,
        row.subscribedAt,
        row.unsubscribedAt,
        row.source,
        row.channel,
        row.changedAt,
      ]),
      transaction,
    );
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
