import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { matchesFilters } from '../segments/segment-evaluator';
import type { CompiledScoringRule, RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import { type CapSlot, capSlot } from './scoring-cap';

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

interface LedgerRow {
  id: number;
  event_id: number;
  rule_id: string;
  cap_key: string | null;
  points: number;
  score_group: string;
  occurred_at: unknown;
}

interface Award {
  rule: CompiledScoringRule;
  slot: CapSlot | null;
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

  async score(event: ScorableEvent, rules: RuleSet, now: Date, transaction: Transaction, options: { newEvent?: boolean } = {}): Promise<ScoreChange | null> {
    // `channel` in a rule's conditions is the event's channel.
    const facts = { ...event.properties, channel: event.channel };
    const candidates: Award[] = [];
    for (const rule of rules.scoringRulesFor(event.type)) {
      if (!matchesFilters(facts, rule.filters)) continue;
      const slot = capSlot(rule, event, this.timezone);
      if (slot !== undefined) candidates.push({ rule, slot });
    }
    if (candidates.length === 0) return null;

    // An event new to the timeline has no ledger rows yet; one scored before (a backfill's replay) keeps its rows.
    const scored = options.newEvent
      ? new Set<string>()
      : new Set((await this.db.select<{ rule_id: string }>('SELECT rule_id FROM score_ledger WHERE event_id = ?', [event.eventId], transaction)).map((row) => row.rule_id));
    const pending = candidates.filter((candidate) => !scored.has(candidate.rule.id));
    const capped = pending.flatMap((candidate) => (candidate.slot ? [{ rule: candidate.rule, slot: candidate.slot }] : []));
    const holders = capped.length
      ? await this.db.select<LedgerRow>(
          `SELECT id, event_id, rule_id, cap_key, points, score_group, occurred_at FROM score_ledger
            WHERE profile_id = :profileId AND rule_id IN (:rules) AND cap_key IN (:keys)`,
          { profileId: event.profileId, rules: capped.map((candidate) => candidate.rule.id), keys: capped.map((candidate) => candidate.slot.key) },
          transaction,
        )
      : [];

    const awards: Award[] = [];
    const displaced: LedgerRow[] = [];
    for (const candidate of pending) {
      const { slot } = candidate;
      if (slot === null) {
        awards.push(candidate);
        continue;
      }
      const holding = holders.filter((row) => row.rule_id === candidate.rule.id && row.cap_key === slot.key).sort((a, b) => this.earlier(a, b));
      if (holding.length < slot.limit) {
        awards.push(candidate);
        continue;
      }
      const latest = holding[holding.length - 1];
      const latestAt = this.db.parseTime(latest.occurred_at)?.getTime() ?? 0;
      if (event.occurredAt.getTime() < latestAt || (event.occurredAt.getTime() === latestAt && event.eventId < Number(latest.event_id))) {
        awards.push(candidate);
        displaced.push(latest);
      }
    }
    if (awards.length === 0) return null;

    if (displaced.length > 0) {
      await this.db.execute('DELETE FROM score_ledger WHERE id IN (:ids)', { ids: displaced.map((row) => Number(row.id)) }, transaction);
    }
    await this.db.execute(
      `INSERT INTO score_ledger (event_id, rule_id, profile_id, score_group, points, occurred_at, cap_key, created_at) VALUES ${awards.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      awards.flatMap((award) => [event.eventId, award.rule.id, event.profileId, award.rule.group, award.rule.points, event.occurredAt, award.slot?.key ?? null, now]),
      transaction,
    );

    const delta = new Map<string, number>();
    const add = (group: string, points: number) => delta.set(group, (delta.get(group) ?? 0) + points);
    for (const award of awards) add(award.rule.group, award.rule.points * decayFactor(event.occurredAt, now, rules.halfLifeOf(award.rule.group)));
    for (const row of displaced) {
      const at = this.db.parseTime(row.occurred_at) ?? now;
      add(row.score_group, -Number(row.points) * decayFactor(at, now, rules.halfLifeOf(row.score_group)));
    }
    return this.addToScores(event.profileId, delta, rules, now, transaction);
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
      const faded = Number(row.points) * decayFactor(this.db.parseTime(row.occurred_at) ?? now, now, rules.halfLifeOf(row.score_group));
      scores.set(row.score_group, (scores.get(row.score_group) ?? 0) + faded);
    }
    for (const row of await this.db.select<{ score_group: string }>('SELECT score_group FROM scores WHERE profile_id = ?', [profileId], transaction)) {
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

  /** Fades the profile's stored scores to `now`, adds `delta`, stores the result. */
  private async addToScores(profileId: number, delta: ReadonlyMap<string, number>, rules: RuleSet, now: Date, transaction: Transaction): Promise<ScoreChange> {
    const rows = await this.db.select<{ id: number; score_group: string; points: number; updated_at: unknown }>(
      `SELECT id, score_group, points, updated_at FROM scores WHERE profile_id = ?${this.db.forUpdate}`,
      [profileId],
      transaction,
    );
    const before = new Map<string, number>();
    const ids = new Map<string, number>();
    for (const row of rows) {
      const at = this.db.parseTime(row.updated_at) ?? now;
      before.set(row.score_group, Number(row.points) * decayFactor(at, now, rules.halfLifeOf(row.score_group)));
      ids.set(row.score_group, Number(row.id));
    }
    const after = new Map(before);
    for (const [group, points] of delta) {
      const value = (before.get(group) ?? 0) + points;
      after.set(group, value);
      const id = ids.get(group);
      if (id === undefined) {
        await this.db.execute('INSERT INTO scores (profile_id, score_group, points, updated_at) VALUES (?, ?, ?, ?)', [profileId, group, value, now], transaction);
      } else {
        await this.db.execute('UPDATE scores SET points = ?, updated_at = ? WHERE id = ?', [value, now, id], transaction);
      }
    }
    return { before, after };
  }

  private earlier(a: LedgerRow, b: LedgerRow): number {
    const at = (this.db.parseTime(a.occurred_at)?.getTime() ?? 0) - (this.db.parseTime(b.occurred_at)?.getTime() ?? 0);
    return at !== 0 ? at : Number(a.event_id) - Number(b.event_id);
  }
}
