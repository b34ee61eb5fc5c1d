import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { Metrics } from '../metrics/metrics';
import { NotFoundError } from '../errors/app.errors';
import { liveProfileId, lockedProfileStates, profilesMergedInto } from '../profiles/live-profile';
import { followStatesOf, openidsOf } from '../profiles/profile-lookups';
import { ContactFacts } from './contact-facts.repository';
import { type ContactPolicy, decideContact } from './contact-policy';
import { localMonthStart } from '../util/local-time';
import type { PushContent } from './push-content';
import type { ClaimedDelivery, DeliverySettlement, PushOutbox } from './push-outbox.repository';

export interface PushPolicySettings {
  policy: ContactPolicy;
  optOutTags: readonly string[];
  /** The time zone of an account (quiet hours, the mass quota's month). */
  timezoneOf(account: string): string;
}

/** A push as its deliveries need it. */
export interface PushInfo {
  id: number;
  account: string;
  status: string;
  content: PushContent;
}

/** A decided row, ready to go: its channel and the follower's openid. */
export type ReadyDelivery = ClaimedDelivery & { channel: string; openid: string };

/**
 * Decides a claim's recipients at send time: under their profiles' row locks (so two pushes can't both take a
 * follower's last slot), following merges made since confirmation, with the contact policy over facts read for the
 * whole claim at once. Skips and deferrals are settled here, with their timeline events; sends are left to the worker.
 */
export class PushDecider {
  constructor(
    private readonly db: Database,
    private readonly outbox: PushOutbox,
    private readonly settings: PushPolicySettings,
    private readonly metrics: Metrics,
    /** The worker whose claim it decides: settlements only touch rows it still holds. */
    private readonly worker: string,
  ) {}

  /** The policy for every undecided row, per account, in one transaction holding the recipients' profile rows. */
  async decide(rows: ClaimedDelivery[], pushes: ReadonlyMap<number, PushInfo>, now: Date): Promise<ReadyDelivery[]> {
    const ready: ReadyDelivery[] = [];
    const accounts = new Map<string, ClaimedDelivery[]>();
    for (const row of rows) {
      const account = (pushes.get(row.pushId) as PushInfo).account;
      const group = accounts.get(account);
      if (group) group.push(row);
      else accounts.set(account, [row]);
    }
    for (const [account, claimed] of accounts) {
      await this.db.transaction(async (transaction) => {
        const { live: group, gone } = await this.resolveMerged(claimed, transaction);
        const ids = [...new Set(group.map((row) => row.profileId))];
        const { settings } = this;
        const timezone = settings.timezoneOf(account);
        const [facts, followOf, openidOf] = await Promise.all([
          ContactFacts.load(
            this.db,
            {
              account,
              scope: ids,
              pushIds: [...new Set(group.map((row) => row.pushId))],
              optOutTags: settings.optOutTags,
              policy: settings.policy,
              now,
              monthStart: localMonthStart(now, timezone),
            },
            transaction,
          ),
          followStatesOf(this.db, account, ids, transaction),
          openidsOf(this.db, account, ids, transaction),
        ]);
        const settlements: DeliverySettlement[] = gone.map((row) => ({
          id: row.id,
          status: 'skipped',
          reason: row.reason,
        }));
        for (const row of group) {
          // Decided before (a retry, or taken over after a crash): the decision stands, for the same openid.
          if (row.decided && row.channel && row.openid) {
            ready.push({ ...row, channel: row.channel, openid: row.openid });
            continue;
          }
          const openid = openidOf.get(row.profileId);
          const follow = followOf.get(row.profileId) ?? { following: false, subscribedAt: null };
          const state = facts.stateOf(
            row.profileId,
            { ...follow, following: follow.following && openid !== undefined },
            row.pushId,
          );
          const decision = decideContact(
            state,
            (pushes.get(row.pushId) as PushInfo).content,
            settings.policy,
            now,
            timezone,
          );
          if (decision.outcome === 'send') {
            facts.reserve(row.profileId, row.pushId, decision.channel, now);
            settlements.push({ id: row.id, status: 'decided', channel: decision.channel, openid: openid as string });
            ready.push({ ...row, channel: decision.channel, openid: openid as string, decided: true });
            continue;
          }
          this.metrics.pushDeliveries.inc({
            channel: 'none',
            outcome: decision.outcome === 'defer' ? 'deferred' : 'skipped',
          });
          settlements.push(
            decision.outcome === 'defer'
              ? { id: row.id, status: 'deferred', reason: decision.reason, until: decision.until }
              : { id: row.id, status: 'skipped', reason: decision.reason },
          );
        }
        await this.outbox.settle([...group, ...gone], settlements, this.worker, now, transaction);
      });
    }
    return ready;
  }

  /**
   * Locks the claimed rows' profiles (in id order, as the inbox worker does) and follows merges made since the push
   * was confirmed: a row of a profile merged into another is the survivor's (their identities and follows moved there),
   * unless the survivor has a row of that push itself, or someone merged into them was sent it (`already_received`);
   * an erased person is `not_following`.
   */
  private async resolveMerged(
    rows: ClaimedDelivery[],
    transaction: Transaction,
  ): Promise<{ live: ClaimedDelivery[]; gone: (ClaimedDelivery & { reason: string })[] }> {
    const ids = [...new Set(rows.map((row) => row.profileId))].sort((a, b) => a - b);
    const profiles = await lockedProfileStates(this.db, ids, transaction);
    const state = new Map(profiles.map((profile) => [profile.id, profile]));
    const live: ClaimedDelivery[] = [];
    const gone: (ClaimedDelivery & { reason: string })[] = [];
    for (const row of rows) {
      const profile = state.get(row.profileId);
      if (!profile || profile.erased) {
        gone.push({ ...row, reason: 'not_following' });
        continue;
      }
      if (profile.mergedInto === null) {
        live.push(row);
        continue;
      }
      // Only "gone" means gone: a deadlock or timeout must fail the transaction (which is retried), not skip someone.
      const survivor = await liveProfileId(this.db, row.profileId, transaction, { lock: true }).catch(
        (error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        },
      );
      const [own] =
        survivor === null
          ? []
          : await this.db.select<{ id: number }>(
              'SELECT id FROM push_deliveries WHERE push_id = ? AND profile_id = ?',
              [row.pushId, survivor],
              transaction,
            );
      if (survivor === null) gone.push({ ...row, reason: 'not_following' });
      else if (own || live.some((other) => other.pushId === row.pushId && other.profileId === survivor))
        gone.push({ ...row, profileId: survivor, reason: 'already_received' });
      else live.push({ ...row, profileId: survivor });
    }
    // Someone merged into a recipient may have been sent the push already (as themselves): it reached this person.
    const undecided = live.filter((row) => !row.decided);
    if (undecided.length === 0) return { live, gone };
    const absorbed = await profilesMergedInto(
      this.db,
      [...new Set(undecided.map((row) => row.profileId))],
      transaction,
    );
    const survivorOf = new Map(absorbed.map((profile) => [profile.id, profile.survivor]));
    const earlier =
      absorbed.length === 0
        ? []
        : await this.db.select<{ id: number; push_id: number; profile_id: number }>(
            `SELECT d.id, d.push_id, d.profile_id FROM push_deliveries d
              WHERE d.profile_id IN (:absorbed) AND d.push_id IN (:pushIds) AND d.decided_at IS NOT NULL AND d.status IN ('queued', 'sending', 'sent')`,
            { absorbed: [...survivorOf.keys()], pushIds: [...new Set(undecided.map((row) => row.pushId))] },
            transaction,
          );
    const reached = (row: ClaimedDelivery) =>
      !row.decided &&
      earlier.some(
        (other) =>
          Number(other.id) !== row.id &&
          Number(other.push_id) === row.pushId &&
          survivorOf.get(Number(other.profile_id)) === row.profileId,
      );
    return {
      live: live.filter((row) => !reached(row)),
      gone: [...gone, ...live.filter(reached).map((row) => ({ ...row, reason: 'already_received' }))],
    };
  }
}
