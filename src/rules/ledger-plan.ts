import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { matchesFilters } from '../segments/segment-evaluator';
import type { CompiledScoringRule, RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import { capSlot } from './scoring-cap';
import { TimeSlice } from '../util/time-slice';
import { eventsOfProfiles, profilesWithEventsOf } from '../timeline/timeline-lookups';

/** One row of a profile's ledger as a rules document would have it. */
export interface PlannedEntry {
  eventId: number;
  ruleId: string;
  group: string;
  points: number;
  occurredAt: Date;
  capKey: string | null;
}

/**
 * How a change of scoring rules touches the ledger: rules whose matching is unchanged keep their rows (with the new
 * points when those changed); rules that are new or match differently (event type, conditions, cap or group) are
 * scored again from the events; rules no longer there lose their rows.
 */
export class LedgerChange {
  /** Rules kept as they match, by id (points may differ). */
  readonly kept = new Map<string, CompiledScoringRule>();
  /** Rules scored again from the events. */
  readonly replayed: CompiledScoringRule[] = [];
  /** Rule ids whose old rows go (removed rules and replayed ones). */
  readonly dropped: string[] = [];
  /** Rule ids whose points change (kept rules). */
  readonly repriced: string[] = [];

  constructor(
    readonly before: RuleSet,
    readonly after: RuleSet,
  ) {
    const matching = (rule: CompiledScoringRule) =>
      JSON.stringify([rule.on, rule.where ?? '', rule.cap ?? null, rule.group]);
    const old = new Map(before.scoring.map((rule) => [rule.id, rule]));
    for (const rule of after.scoring) {
      const previous = old.get(rule.id);
      if (previous && matching(previous) === matching(rule)) {
        this.kept.set(rule.id, rule);
        if (previous.points !== rule.points) this.repriced.push(rule.id);
      } else {
        this.replayed.push(rule);
        if (previous) this.dropped.push(rule.id);
      }
    }
    for (const rule of before.scoring)
      if (!after.scoring.some((other) => other.id === rule.id)) this.dropped.push(rule.id);
  }

  get empty(): boolean {
    return this.replayed.length === 0 && this.dropped.length === 0 && this.repriced.length === 0;
  }

  /** Profiles whose ledger the change touches, in id order. */
  async affectedProfiles(db: Database): Promise<number[]> {
    const ids = new Set<number>();
    const changedRules = [...this.dropped, ...this.repriced];
    if (changedRules.length > 0) {
      for (const row of await db.selectLong<{ profile_id: number }>(
        'SELECT DISTINCT profile_id FROM score_ledger WHERE rule_id IN (:rules)',
        { rules: changedRules },
      )) {
        ids.add(Number(row.profile_id));
      }
    }
    const types = [...new Set(this.replayed.map((rule) => rule.on))];
    if (types.length > 0) {
      for (const profileId of await profilesWithEventsOf(db, types)) ids.add(profileId);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * The ledger of each profile in `profileIds` under the new rules: kept rows repriced, replayed rules scored from the
   * events with the pipeline's own matching and caps (the earliest events of each cap slot).
   */
  async plan(
    db: Database,
    profileIds: readonly number[],
    timezone: string,
    transaction?: Transaction,
  ): Promise<Map<number, PlannedEntry[]>> {
    const planned = new Map<number, PlannedEntry[]>(profileIds.map((id) => [id, []]));
    await this.eachEntry(
      db,
      profileIds,
      timezone,
      (profileId, entry) => planned.get(profileId)?.push(entry),
      transaction,
    );
    return planned;
  }

  /**
   * Each row of the planned ledgers of `profileIds`, handed to `visit` instead of kept (a preview needs only the sums).
   * Events × rules is the heaviest loop in the rules room: events are matched only against the rules for their type,
   * and the loop gives way to the event loop between slices (`TimeSlice`), so requests are answered meanwhile.
   */
  async eachEntry(
    db: Database,
    profileIds: readonly number[],
    timezone: string,
    visit: (profileId: number, entry: PlannedEntry) => void,
    transaction?: Transaction,
  ): Promise<void> {
    const slice = new TimeSlice();
    // Thousands of profiles' rows: outside a transaction (a preview) they are a long read.
    const read = <Row extends object>(sql: string, values: Record<string, unknown>) =>
      transaction ? db.select<Row>(sql, values, transaction) : db.selectLong<Row>(sql, values);
    const rows = await read<{
      profile_id: number;
      event_id: number;
      rule_id: string;
      occurred_at: unknown;
      cap_key: string | null;
    }>('SELECT profile_id, event_id, rule_id, occurred_at, cap_key FROM score_ledger WHERE profile_id IN (:ids)', {
      ids: profileIds,
    });
    for (const row of rows) {
      const rule = this.kept.get(row.rule_id);
      if (!rule) continue;
      const occurredAt = db.parseTime(row.occurred_at) ?? new Date(0);
      visit(Number(row.profile_id), {
        eventId: Number(row.event_id),
        ruleId: rule.id,
        group: rule.group,
        points: rule.points,
        occurredAt,
        capKey: row.cap_key,
      });
      if (slice.due()) await slice.giveWay();
    }
    const byType = new Map<string, CompiledScoringRule[]>();
    for (const rule of this.replayed) byType.set(rule.on, [...(byType.get(rule.on) ?? []), rule]);
    if (byType.size === 0) return;
    const events = await eventsOfProfiles(db, profileIds, [...byType.keys()], transaction);
    // Per rule and cap slot of the profile at hand: how many events have taken a place (events come earliest first).
    const taken = new Map<string, number>();
    let profile: number | undefined;
    for (const event of events) {
      const profileId = Number(event.profile_id);
      if (profileId !== profile) {
        taken.clear();
        profile = profileId;
      }
      const properties = JSON.parse(event.properties ?? '{}') as Record<string, unknown>;
      const matched = { ...properties, channel: event.channel };
      const occurredAt = db.parseTime(event.occurred_at) ?? new Date(0);
      for (const rule of byType.get(event.type) ?? []) {
        if (!matchesFilters(matched, rule.filters)) continue;
        const slot = capSlot(rule, { occurredAt, properties }, timezone);
        if (slot === undefined) continue;
        if (slot !== null) {
          const key = `${rule.id}\u0000${slot.key}`;
          const count = taken.get(key) ?? 0;
          if (count >= slot.limit) continue;
          taken.set(key, count + 1);
        }
        visit(profileId, {
          eventId: Number(event.id),
          ruleId: rule.id,
          group: rule.group,
          points: rule.points,
          occurredAt,
          capKey: slot?.key ?? null,
        });
      }
      if (slice.due()) await slice.giveWay();
    }
  }
}

/** Points per group of a ledger, faded to `now`. */
export function scoresOf(entries: readonly PlannedEntry[], rules: RuleSet, now: Date): Map<string, number> {
  const scores = new Map<string, number>();
  for (const entry of entries)
    scores.set(
      entry.group,
      (scores.get(entry.group) ?? 0) + entry.points * decayFactor(entry.occurredAt, now, rules.halfLifeOf(entry.group)),
    );
  return scores;
}
