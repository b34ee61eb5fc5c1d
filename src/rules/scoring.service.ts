import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { matchesFilters } from '../segments/segment-evaluator';
import type { CompiledScoringRule, RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import { type CapSlot, capSlot } from './scoring-cap';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';

/** An event as scoring sees it. */
export interface ScorableEvent {
  eventId: number;
  profileId: number;
  type: string;
  channel: string | null;
  occurredAt: Date;
  properties: Readonly<Record<string, unknown>>;
}

/** A profile's points per group before and after an event, both faded to the same moment. */
export interface ScoreChange {
  before: ReadonlyMap<string, number>;
  after: ReadonlyMap<string, number>;
}

/** A ledger row of a cap slot: one already stored (with its id), or one this batch awards (id null). */
interface SlotHolder {
  id: number | null;
  eventId: number;
  group: string;
  points: number;
  occurredAt: Date;
}

interface Award {
  event: ScorableEvent;
  rule: CompiledScoringRule;
  slot: CapSlot | null;
  /** Set when a later award of the batch takes this one's place in its cap slot. */
  displaced?: boolean;
}

/** The sum of every group: what `score >= 90` compares. */
export function totalOf(points: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of points.values()) total += value;
  return total;
}

/**
 * The scoring ledger. Each event is scored by every rule whose type and conditions it matches, once per (event, rule):
 * the ledger's unique key, and the profile row lock the pipeline holds, keep a replay or a second worker from
 * counting it again. A cap keeps the earliest events of its slot (by time, then event id): when an earlier event
 * arrives after the slot filled up, it takes the place of the latest one, so the ledger, and with it the score, is
 * the same whatever order events arrive in.
 *
 * `scores` holds each group's sum faded to its `updated_at`; adding to it fades the stored sum to now first, which
 * is exact because fading composes (score-decay.ts).
 */
export class ScoringService {
  constructor(
    private readonly db: Database,
    private readonly timezone: string,
  ) {}

  /**
   * Scores events new to the timeline (the pipeline's, in inbox order), answering each event's score change (null when
   * it earned nothing). A few statements for all of them: the cap slots they fall in are read at once, the awards
   * are decided in memory in order, and the ledger and the scores are written at once.
   */
  async score(
    events: readonly ScorableEvent[],
    rules: RuleSet,
    now: Date,
    transaction: Transaction,
  ): Promise<(ScoreChange | null)[]> {
    const candidates = events.map((event) => this.candidates(event, rules));
    const slots = await this.slotHolders(candidates.flat(), transaction);

    // Per event, in order: awards, and the rows they displace from full cap slots (earlier events keep their place).
    const perEvent = candidates.map(() => ({ awards: [] as Award[], displaced: [] as SlotHolder[] }));
    const awarded = new Map<SlotHolder, Award>();
    candidates.forEach((list, index) => {
      for (const candidate of list) {
        const { slot, event } = candidate;
        if (slot === null) {
          perEvent[index].awards.push(candidate);
          continue;
        }
        const holding = slots.get(slotKey(event.profileId, candidate.rule.id, slot.key)) ?? [];
        const holder: SlotHolder = {
          id: null,
          eventId: event.eventId,
          group: candidate.rule.group,
          points: candidate.rule.points,
          occurredAt: event.occurredAt,
        };
        if (holding.length >= slot.limit) {
          const latest = holding[holding.length - 1];
          if (earlier(latest, holder) <= 0) continue;
          holding.pop();
          perEvent[index].displaced.push(latest);
          const award = awarded.get(latest);
          if (award) award.displaced = true;
        }
        holding.push(holder);
        holding.sort(earlier);
        awarded.set(holder, candidate);
        perEvent[index].awards.push(candidate);
      }
    });

    const stored = perEvent.flatMap((entry) => entry.displaced).flatMap((row) => (row.id === null ? [] : [row.id]));
    if (stored.length > 0)
      await this.db.execute('DELETE FROM score_ledger WHERE id IN (:ids)', { ids: stored }, transaction);
    const rows = perEvent.flatMap((entry) => entry.awards).filter((award) => !award.displaced);
    if (rows.length > 0) {
      await this.db.insertRows(
        {
          into: 'INSERT INTO score_ledger (event_id, rule_id, profile_id, score_group, points, occurred_at, cap_key, created_at)',
          tuple: '(?, ?, ?, ?, ?, ?, ?, ?)',
        },
        rows.map(({ event, rule, slot }) => [
          event.eventId,
          rule.id,
          event.profileId,
          rule.group,
          rule.points,
          event.occurredAt,
          slot?.key ?? null,
          now,
        ]),
        transaction,
      );
    }

    const deltas = perEvent.map(({ awards, displaced }) => {
      if (awards.length === 0) return null;
      const delta = new Map<string, number>();
      const add = (group: string, points: number, at: Date) =>
        delta.set(group, (delta.get(group) ?? 0) + points * decayFactor(at, now, rules.halfLifeOf(group)));
      for (const { rule, event } of awards) add(rule.group, rule.points, event.occurredAt);
      for (const row of displaced) add(row.group, -row.points, row.occurredAt);
      return delta;
    });
    return this.addToScores(events, deltas, rules, now, transaction);
  }

  /** The rules an event matches, with the cap slot it falls in for each (rules that can't tell its slot left out). */
  private candidates(event: ScorableEvent, rules: RuleSet): Award[] {
    // `channel` in a rule's conditions is the event's channel.
    const facts = { ...event.properties, channel: event.channel };
    const found: Award[] = [];
    for (const rule of rules.scoringRulesFor(event.type)) {
      if (!matchesFilters(facts, rule.filters)) continue;
      const slot = capSlot(rule, event, this.timezone);
      if (slot !== undefined) found.push({ event, rule, slot });
    }
    return found;
  }

  /** The stored rows of every cap slot the candidates fall in, earliest first, by `slotKey`. One query per `maxChainedTerms`. */
  private async slotHolders(
    candidates: readonly Award[],
    transaction: Transaction,
  ): Promise<Map<string, SlotHolder[]>> {
    const slots = new Map<string, SlotHolder[]>();
    const capped = candidates.filter((candidate) => candidate.slot !== null);
    const wanted: [number, string, string][] = [];
    for (const { event, rule, slot } of capped) {
      const key = slotKey(event.profileId, rule.id, (slot as CapSlot).key);
      if (slots.has(key)) continue;
      slots.set(key, []);
      wanted.push([event.profileId, rule.id, (slot as CapSlot).key]);
    }
    if (wanted.length === 0) return slots;
    // Each slot by its own key (a lookup in the ledger's profile-rule-cap index), not every combination of them.
    const rows = [];
    for (const part of chunks(wanted, maxChainedTerms)) {
      rows.push(
        ...(await this.db.select<{
          id: number;
          event_id: number;
          profile_id: number;
          rule_id: string;
          cap_key: string;
          points: number;
          score_group: string;
          occurred_at: unknown;
        }>(
          `SELECT id, event_id, profile_id, rule_id, cap_key, points, score_group, occurred_at FROM score_ledger
            WHERE ${part.map(() => '(profile_id = ? AND rule_id = ? AND cap_key = ?)').join(' OR ')}`,
          part.flat(),
          transaction,
        )),
      );
    }
    for (const row of rows) {
      slots.get(slotKey(Number(row.profile_id), row.rule_id, row.cap_key))?.push({
        id: Number(row.id),
        eventId: Number(row.event_id),
        group: row.score_group,
        points: Number(row.points),
        occurredAt: this.db.parseTime(row.occurred_at) ?? new Date(0),
      });
    }
    for (const holding of slots.values()) holding.sort(earlier);
    return slots;
  }

  /**
   * Stores the profile's scores as its ledger says, faded to `now`: after a merge or an unmerge moved ledger rows
   * between profiles. A group without rows any more is left at 0.
   */
  async rescore(profileId: number, rules: RuleSet, now: Date, transaction: Transaction): Promise<void> {
    const rows = await this.db.select<{ score_group: string; points: number; occurred_at: unknown }>(
      'SELECT score_group, points, occurred_at FROM score_ledger WHERE profile_id = ?',
      [profileId],
      transaction,
    );
    const scores = new Map<string, number>();
    for (const row of rows) {
      const faded =
        Number(row.points) *
        decayFactor(this.db.parseTime(row.occurred_at) ?? now, now, rules.halfLifeOf(row.score_group));
      scores.set(row.score_group, (scores.get(row.score_group) ?? 0) + faded);
    }
    for (const row of await this.db.select<{ score_group: string }>(
      'SELECT score_group FROM scores WHERE profile_id = ?',
      [profileId],
      transaction,
    )) {
      if (!scores.has(row.score_group)) scores.set(row.score_group, 0);
    }
    if (scores.size === 0) return;
    const entries = [...scores];
    await this.db.execute(
      `INSERT INTO scores (profile_id, score_group, points, updated_at) VALUES ${entries.map(() => '(?, ?, ?, ?)').join(', ')}${this.db.onConflictUpdate(['profile_id', 'score_group'], ['points', 'updated_at'])}`,
      entries.flatMap(([group, points]) => [profileId, group, points, now]),
      transaction,
    );
  }

  /**
   * Fades the stored scores of the events' profiles to `now`, adds each event's delta in order (answering the scores
   * before and after it), and stores the results: one read and one upsert. Every writer of a profile's scores holds
   * the profile's row lock (the pipeline, merges, the nightly refresh), so the read needs no lock of its own.
   */
  private async addToScores(
    events: readonly ScorableEvent[],
    deltas: readonly (ReadonlyMap<string, number> | null)[],
    rules: RuleSet,
    now: Date,
    transaction: Transaction,
  ): Promise<(ScoreChange | null)[]> {
    const profiles = [...new Set(events.filter((_, index) => deltas[index] !== null).map((event) => event.profileId))];
    if (profiles.length === 0) return deltas.map(() => null);
    const current = new Map<number, Map<string, number>>(profiles.map((id) => [id, new Map()]));
    const rows = await this.db.select<{ profile_id: number; score_group: string; points: number; updated_at: unknown }>(
      'SELECT profile_id, score_group, points, updated_at FROM scores WHERE profile_id IN (:profiles)',
      { profiles },
      transaction,
    );
    for (const row of rows) {
      const at = this.db.parseTime(row.updated_at) ?? now;
      current
        .get(Number(row.profile_id))
        ?.set(row.score_group, Number(row.points) * decayFactor(at, now, rules.halfLifeOf(row.score_group)));
    }
    const touched = new Map<number, Set<string>>();
    const changes = events.map((event, index): ScoreChange | null => {
      const delta = deltas[index];
      if (delta === null) return null;
      const before = current.get(event.profileId) as Map<string, number>;
      const after = new Map(before);
      for (const [group, points] of delta) after.set(group, (before.get(group) ?? 0) + points);
      current.set(event.profileId, after);
      const groups = touched.get(event.profileId) ?? new Set<string>();
      for (const group of delta.keys()) groups.add(group);
      touched.set(event.profileId, groups);
      return { before, after };
    });
    const stored = [...touched].flatMap(([profileId, groups]) =>
      [...groups].map((group) => [profileId, group, current.get(profileId)?.get(group) ?? 0, now]),
    );
    await this.db.execute(
      `INSERT INTO scores (profile_id, score_group, points, updated_at) VALUES ${stored.map(() => '(?, ?, ?, ?)').join(', ')}${this.db.onConflictUpdate(['profile_id', 'score_group'], ['points', 'updated_at'])}`,
      stored.flat(),
      transaction,
    );
    return changes;
  }
}

/** Identifies a cap slot of one profile and rule. */
function slotKey(profileId: number, ruleId: string, capKey: string): string {
  return `${profileId}\u0000${ruleId}\u0000${capKey}`;
}

/** Ledger order within a cap slot: by time, then event id. */
function earlier(a: SlotHolder, b: SlotHolder): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || a.eventId - b.eventId;
}
