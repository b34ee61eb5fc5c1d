import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { ContactPolicy, ContactState, ContactWindow } from './contact-policy';
import { isTimeZone } from './local-time';

/** WeChat codes that say an openid can't be reached (invalid; not following as far as WeChat knows). */
export const unreachableOpenidCodes = ['40003', '43004'];

/** Follower actions that open a customer-service window, by kind. */
const windowEvents: Record<string, ContactWindow['kind']> = {
  message: 'message',
  subscribe: 'action',
  menu_click: 'action',
  qr_scan: 'action',
};

interface Decision {
  pushId: number;
  channel: string | null;
  at: Date;
}

/** Where a profile stands with the account's followers (from `subscriptions`). */
export interface FollowFact {
  following: boolean;
  subscribedAt: Date | null;
}

/**
 * The facts the contact policy needs about a set of profiles (or, for a plan's forecast, about everyone: `scope`
 * null), read in a few set queries: opt-outs, openids WeChat refused, pushes decided for them recently, their open
 * customer-service windows and their own time zones. Following comes from the caller (a plan streams it with the
 * audience; a send reads it with the openids).
 */
export class ContactFacts {
  private constructor(
    private readonly optedOut: Set<number>,
    private readonly failedAt: Map<number, Date>,
    private readonly decisions: Map<number, Decision[]>,
    private readonly windows: Map<number, { kind: ContactWindow['kind']; at: Date }[]>,
    private readonly timezones: Map<number, string>,
    private readonly now: Date,
    private readonly monthStart: Date,
  ) {}

  static async load(
    db: Database,
    input: { scope: readonly number[] | null; optOutTags: readonly string[]; policy: ContactPolicy; now: Date; monthStart: Date },
    transaction?: Transaction,
  ): Promise<ContactFacts> {
    const { scope, now, policy } = input;
    if (scope && scope.length === 0) {
      return new ContactFacts(new Set(), new Map(), new Map(), new Map(), new Map(), now, input.monthStart);
    }
    const within = (column: string) => (scope ? ` AND ${column} IN (:ids)` : '');
    const ids = scope ?? [];
    const windowStart = new Date(now.getTime() - Math.max(policy.customerService.messageWindowMs, policy.customerService.actionWindowMs));
    const since = new Date(Math.min(now.getTime() - 7 * 86_400_000, input.monthStart.getTime(), windowStart.getTime()));

    const [tagged, refused, failures, decisions, actions, zones] = await Promise.all([
      input.optOutTags.length === 0
        ? Promise.resolve([])
        : db.select<{ profile_id: number }>(
            `SELECT profile_id FROM tags WHERE name IN (:tags) AND (expires_at IS NULL OR expires_at > :now)${within('profile_id')}`,
            { tags: input.optOutTags, now, ids },
            transaction,
          ),
      db.select<{ profile_id: number }>(
        `SELECT profile_id FROM attributes WHERE name = 'marketingConsent' AND value_key = 'false'${within('profile_id')}`,
        { ids },
        transaction,
      ),
      db.select<{ profile_id: number; at: unknown }>(
        `SELECT profile_id, MAX(finished_at) AS at FROM push_deliveries
          WHERE status = 'failed' AND error_code IN (:codes)${within('profile_id')} GROUP BY profile_id`,
        { codes: unreachableOpenidCodes, ids },
        transaction,
      ),
      db.select<{ profile_id: number; push_id: number; channel: string | null; decided_at: unknown }>(
        `SELECT profile_id, push_id, channel, decided_at FROM push_deliveries
          WHERE decided_at >= :since AND status IN ('sending', 'sent')${within('profile_id')}`,
        { since, ids },
        transaction,
      ),
      db.select<{ profile_id: number; type: string; at: unknown }>(
        `SELECT profile_id, type, MAX(occurred_at) AS at FROM events
          WHERE type IN (:types) AND occurred_at >= :windowStart AND occurred_at <= :now${within('profile_id')}
          GROUP BY profile_id, type`,
        { types: Object.keys(windowEvents), windowStart, now, ids },
        transaction,
      ),
      policy.quietHours
        ? db.select<{ profile_id: number; value: string }>(
            `SELECT profile_id, value FROM attributes WHERE name = 'timezone'${within('profile_id')}`,
            { ids },
            transaction,
          )
        : Promise.resolve([]),
    ]);

    const byProfile = <T>(map: Map<number, T[]>, id: number, item: T) => {
      const list = map.get(id);
      if (list) list.push(item);
      else map.set(id, [item]);
    };
    const decisionMap = new Map<number, Decision[]>();
    for (const row of decisions) {
      byProfile(decisionMap, Number(row.profile_id), { pushId: Number(row.push_id), channel: row.channel, at: db.parseTime(row.decided_at) ?? now });
    }
    const windowMap = new Map<number, { kind: ContactWindow['kind']; at: Date }[]>();
    for (const row of actions) {
      const kind = windowEvents[row.type];
      const at = db.parseTime(row.at);
      if (kind && at) byProfile(windowMap, Number(row.profile_id), { kind, at });
    }
    const timezones = new Map<number, string>();
    for (const row of zones) {
      const zone = parseZone(row.value);
      if (zone) timezones.set(Number(row.profile_id), zone);
    }
    return new ContactFacts(
      new Set([...tagged, ...refused].map((row) => Number(row.profile_id))),
      new Map(failures.map((row) => [Number(row.profile_id), db.parseTime(row.at) ?? new Date(0)])),
      decisionMap,
      windowMap,
      timezones,
      now,
      input.monthStart,
    );
  }

  /** The policy's view of one profile. `pushId` is the push being decided (its own earlier sends count as received). */
  stateOf(profileId: number, follow: FollowFact, pushId: number): ContactState {
    const decisions = this.decisions.get(profileId) ?? [];
    const dayAgo = this.now.getTime() - 86_400_000;
    const weekAgo = this.now.getTime() - 7 * 86_400_000;
    const failedAt = this.failedAt.get(profileId);
    const state: ContactState = {
      following: follow.following,
      optedOut: this.optedOut.has(profileId),
      // A refusal before the latest follow no longer counts: they came back.
      openidFailing: failedAt !== undefined && (follow.subscribedAt === null || failedAt >= follow.subscribedAt),
      alreadyReceived: decisions.some((decision) => decision.pushId === pushId),
      sentLastDay: decisions.filter((decision) => decision.at.getTime() > dayAgo).length,
      sentLastWeek: decisions.filter((decision) => decision.at.getTime() > weekAgo).length,
      massThisMonth: decisions.filter((decision) => decision.channel === 'mass' && decision.at >= this.monthStart).length,
      windows: this.windowsOf(profileId, decisions),
    };
    const timezone = this.timezones.get(profileId);
    if (timezone) state.timezone = timezone;
    return state;
  }

  /** Counts a decision made since loading (another push to the same person in the same claim sees it). */
  reserve(profileId: number, pushId: number, channel: string, at: Date): void {
    const list = this.decisions.get(profileId);
    const decision = { pushId, channel, at };
    if (list) list.push(decision);
    else this.decisions.set(profileId, [decision]);
  }

  private windowsOf(profileId: number, decisions: readonly Decision[]): ContactWindow[] {
    const latest = new Map<ContactWindow['kind'], Date>();
    for (const { kind, at } of this.windows.get(profileId) ?? []) {
      const current = latest.get(kind);
      if (!current || at > current) latest.set(kind, at);
    }
    return [...latest].map(([kind, openedAt]) => ({
      kind,
      openedAt,
      sentSince: decisions.filter((decision) => decision.channel === 'customer_service' && decision.at >= openedAt).length,
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
