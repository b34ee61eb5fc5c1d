import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { ContactPolicy, ContactState, ContactWindow } from './contact-policy';
import { isTimeZone } from '../util/local-time';
import { attributeValuesOf, profilesWithAttribute } from '../profiles/profile-lookups';
import { tagHolders } from '../rules/tag-lookups';
import { latestEventsWithProperty } from '../timeline/timeline-lookups';

/** WeChat codes that say an openid can't be reached (invalid; not following as far as WeChat knows). */
export const unreachableOpenidCodes = ['40003', '43004'];

/** Follower actions that open a customer-service window, by kind. */
const windowEvents: Record<string, ContactWindow['kind']> = {
  message: 'message',
  subscribe: 'action',
  menu_click: 'action',
  qr_scan: 'action',
};

/** Where a profile stands with the account's followers (from `subscriptions`). */
export interface FollowFact {
  following: boolean;
  subscribedAt: Date | null;
}

/** Pushes decided for one person lately (sent, or being sent): what caps and quotas count. */
interface SentCounts {
  lastDay: number;
  lastWeek: number;
  massThisMonth: number;
}

export interface ContactFactsInput {
  /** The WeChat account the pushes go out through: windows, quotas and refusals are the account's own. */
  account: string;
  /** The profiles to read about; null: everyone (a plan's forecast). */
  scope: readonly number[] | null;
  /** Pushes whose own earlier sends count as "already received". */
  pushIds: readonly number[];
  optOutTags: readonly string[];
  policy: ContactPolicy;
  now: Date;
  monthStart: Date;
}

/**
 * The facts the contact policy needs about a set of profiles (or about everyone, for a plan), read in a few set
 * queries: opt-outs, openids WeChat refused, how many pushes were decided for each lately (counted in the database,
 * one row per person however many pushes went out), the customer-service messages and follower actions of the open
 * windows, and people's own time zones. Following comes from the caller (a plan reads it with the audience; a send
 * with the openids).
 */
export class ContactFacts {
  private constructor(
    private readonly optedOut: Set<number>,
    private readonly failedAt: Map<number, Date>,
    private readonly counts: Map<number, SentCounts>,
    private readonly customerService: Map<number, Date[]>,
    private readonly received: Set<string>,
    private readonly windows: Map<number, { kind: ContactWindow['kind']; at: Date }[]>,
    private readonly timezones: Map<number, string>,
  ) {}

  static async load(db: Database, input: ContactFactsInput, transaction?: Transaction): Promise<ContactFacts> {
    const { scope, now, policy } = input;
    if (scope && scope.length === 0) {
      return new ContactFacts(new Set(), new Map(), new Map(), new Map(), new Set(), new Map(), new Map());
    }
    const within = (column: string) => (scope ? ` AND ${column} IN (:ids)` : '');
    const ids = scope ?? [];
    const windowStart = new Date(
      now.getTime() - Math.max(policy.customerService.messageWindowMs, policy.customerService.actionWindowMs),
    );
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const since = new Date(Math.min(weekAgo.getTime(), input.monthStart.getTime()));
    // Decided (a batch waiting to be sent again counts too): what caps and quotas hold against.
    const decided = "d.decided_at IS NOT NULL AND d.status IN ('queued', 'sending', 'sent')";
    // Deliveries of pushes through this account (a window, a quota or a refusal is per account).
    const ofAccount = 'push_deliveries d JOIN pushes p ON p.id = d.push_id AND p.account = :account';
    const account = input.account;

    const [tagged, refused, failures, counts, customerService, received, actions, zones] = await Promise.all([
      tagHolders(db, { names: input.optOutTags, now, scope }, transaction),
      profilesWithAttribute(db, { name: 'marketingConsent', valueKey: 'false', scope }, transaction),
      db.select<{ profile_id: number; at: unknown }>(
        `SELECT d.profile_id, MAX(d.finished_at) AS at FROM ${ofAccount}
          WHERE d.status = 'failed' AND d.error_code IN (:codes)${within('d.profile_id')} GROUP BY d.profile_id`,
        { codes: unreachableOpenidCodes, ids, account },
        transaction,
      ),
      db.select<{ profile_id: number; last_day: number; last_week: number; mass_month: number }>(
        // Caps count every push a person got, through any account: the pressure is on the person.
        `SELECT d.profile_id,
                SUM(CASE WHEN d.decided_at > :dayAgo THEN 1 ELSE 0 END) AS last_day,
                SUM(CASE WHEN d.decided_at > :weekAgo THEN 1 ELSE 0 END) AS last_week,
                SUM(CASE WHEN d.channel = 'mass' AND d.decided_at >= :monthStart AND p.account = :account THEN 1 ELSE 0 END) AS mass_month
           FROM push_deliveries d JOIN pushes p ON p.id = d.push_id
          WHERE d.decided_at >= :since AND ${decided}${within('d.profile_id')}
          GROUP BY d.profile_id`,
        { dayAgo, weekAgo, monthStart: input.monthStart, since, ids, account },
        transaction,
      ),
      db.select<{ profile_id: number; decided_at: unknown }>(
        `SELECT d.profile_id, d.decided_at FROM ${ofAccount}
          WHERE d.decided_at >= :windowStart AND d.channel = 'customer_service' AND ${decided}${within('d.profile_id')}`,
        { windowStart, ids, account },
        transaction,
      ),
      input.pushIds.length === 0
        ? Promise.resolve([])
        : db.select<{ profile_id: number; push_id: number }>(
            `SELECT d.profile_id, d.push_id FROM push_deliveries d WHERE d.push_id IN (:pushIds) AND ${decided}${within('d.profile_id')}`,
            { pushIds: input.pushIds, ids },
            transaction,
          ),
      // The follower's actions towards this account (WeChat's events carry it), from the property index.
      latestEventsWithProperty(
        db,
        { types: Object.keys(windowEvents), name: 'account', value: account, from: windowStart, to: now, scope },
        transaction,
      ),
      policy.quietHours ? attributeValuesOf(db, { names: ['timezone'], scope }, transaction) : Promise.resolve([]),
    ]);

    const byProfile = <T>(map: Map<number, T[]>, id: number, item: T) => {
      const list = map.get(id);
      if (list) list.push(item);
      else map.set(id, [item]);
    };
    const customerServiceMap = new Map<number, Date[]>();
    for (const row of customerService)
      byProfile(customerServiceMap, Number(row.profile_id), db.parseTime(row.decided_at) ?? now);
    const windowMap = new Map<number, { kind: ContactWindow['kind']; at: Date }[]>();
    for (const row of actions) {
      const kind = windowEvents[row.type];
      const at = db.parseTime(row.at);
      if (kind && at) byProfile(windowMap, Number(row.profile_id), { kind, at });
    }
    const zoneOf = new Map<string, string | undefined>();
    const timezones = new Map<number, string>();
    for (const row of zones) {
      if (!zoneOf.has(row.value)) zoneOf.set(row.value, parseZone(row.value));
      const zone = zoneOf.get(row.value);
      if (zone) timezones.set(Number(row.profile_id), zone);
    }
    return new ContactFacts(
      new Set([...tagged, ...refused]),
      new Map(failures.map((row) => [Number(row.profile_id), db.parseTime(row.at) ?? new Date(0)])),
      new Map(
        counts.map((row) => [
          Number(row.profile_id),
          { lastDay: Number(row.last_day), lastWeek: Number(row.last_week), massThisMonth: Number(row.mass_month) },
        ]),
      ),
      customerServiceMap,
      new Set(received.map((row) => `${Number(row.push_id)}:${Number(row.profile_id)}`)),
      windowMap,
      timezones,
    );
  }

  /** The policy's view of one profile, for `pushId` (its own earlier sends count as received). */
  stateOf(profileId: number, follow: FollowFact, pushId: number): ContactState {
    const counts = this.counts.get(profileId) ?? { lastDay: 0, lastWeek: 0, massThisMonth: 0 };
    const failedAt = this.failedAt.get(profileId);
    const state: ContactState = {
      following: follow.following,
      optedOut: this.optedOut.has(profileId),
      // A refusal before the latest follow no longer counts: they came back.
      openidFailing: failedAt !== undefined && (follow.subscribedAt === null || failedAt >= follow.subscribedAt),
      alreadyReceived: this.received.has(`${pushId}:${profileId}`),
      sentLastDay: counts.lastDay,
      sentLastWeek: counts.lastWeek,
      massThisMonth: counts.massThisMonth,
      windows: this.windowsOf(profileId),
    };
    const timezone = this.timezones.get(profileId);
    if (timezone) state.timezone = timezone;
    return state;
  }

  /** Counts a decision made since loading (another push to the same person in the same claim sees it). */
  reserve(profileId: number, pushId: number, channel: string, at: Date): void {
    const counts = this.counts.get(profileId) ?? { lastDay: 0, lastWeek: 0, massThisMonth: 0 };
    this.counts.set(profileId, {
      lastDay: counts.lastDay + 1,
      lastWeek: counts.lastWeek + 1,
      massThisMonth: counts.massThisMonth + (channel === 'mass' ? 1 : 0),
    });
    if (channel === 'customer_service')
      this.customerService.set(profileId, [...(this.customerService.get(profileId) ?? []), at]);
    this.received.add(`${pushId}:${profileId}`);
  }

  private windowsOf(profileId: number): ContactWindow[] {
    const latest = new Map<ContactWindow['kind'], Date>();
    for (const { kind, at } of this.windows.get(profileId) ?? []) {
      const current = latest.get(kind);
      if (!current || at > current) latest.set(kind, at);
    }
    const sends = this.customerService.get(profileId) ?? [];
    return [...latest].map(([kind, openedAt]) => ({
      kind,
      openedAt,
      sentSince: sends.filter((at) => at >= openedAt).length,
    }));
  }
}

function parseZone(stored: string): string | undefined {
  try {
    const zone = JSON.parse(stored) as unknown;
    return typeof zone === 'string' && isTimeZone(zone) ? zone : undefined;
  } catch {
    return undefined;
  }
}
