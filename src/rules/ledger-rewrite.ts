import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { liveProfilesAmong } from '../profiles/live-profile';
import type { LedgerChange, PlannedEntry } from './ledger-plan';
import { scoresOf } from './ledger-plan';
import type { RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import type { ScoreThresholds } from './score-thresholds';
import { TimeSlice } from '../util/time-slice';

export interface RewriteOutcome {
  /** Profiles whose ledger the change touched. */
  profiles: number;
  /** Threshold crossings recorded. */
  crossings: number;
}

/**
 * Writes a ledger change: every profile it touches gets exactly the planned ledger (rows removed, repriced and added by
 * (event, rule)) and the scores that ledger sums to, faded to `now`, with the thresholds that crosses on its timeline;
 * a batch of profiles per transaction, locked in id order. Rows already as planned are left as they are, so running a
 * change again after a failure finishes it.
 */
export class LedgerRewrite {
  constructor(
    private readonly db: Database,
    private readonly thresholds: ScoreThresholds,
    private readonly options: { timezone: string; batchSize: number },
  ) {}

  async run(change: LedgerChange, now: Date, key: string, log: Logger): Promise<RewriteOutcome> {
    const ids = change.empty ? [] : await change.affectedProfiles(this.db);
    let crossings = 0;
    for (let start = 0; start < ids.length; start += this.options.batchSize) {
      const batch = ids.slice(start, start + this.options.batchSize);
      crossings += await this.db.transaction(async (transaction) => {
        const live = await liveProfilesAmong(this.db, batch, transaction, { lock: true });
        if (live.length === 0) return 0;
        const planned = await change.plan(this.db, live, this.options.timezone, transaction);
        await this.writeLedger(live, planned, now, transaction);
        return this.writeScores(live, planned, change.after, now, key, transaction);
      });
      log.info(
        { rescored: Math.min(start + this.options.batchSize, ids.length), of: ids.length, key },
        'rules apply: profiles scored again',
      );
    }
    return { profiles: ids.length, crossings };
  }

  /** Makes the stored ledger of `profileIds` exactly `planned`: rows removed, repriced and added by (event, rule). */
  private async writeLedger(
    profileIds: readonly number[],
    planned: Map<number, PlannedEntry[]>,
    now: Date,
    transaction: Transaction,
  ): Promise<void> {
    const stored = await this.db.select<{ id: number; event_id: number; rule_id: string; points: number }>(
      'SELECT id, event_id, rule_id, points FROM score_ledger WHERE profile_id IN (:profileIds)',
      { profileIds },
      transaction,
    );
    // Tens of thousands of rows a batch when many rules are scored again: the loops give way between slices.
    const slice = new TimeSlice();
    const wanted = new Map<string, PlannedEntry & { profileId: number }>();
    for (const [profileId, entries] of planned) {
      for (const entry of entries) {
        wanted.set(`${entry.eventId}:${entry.ruleId}`, { ...entry, profileId });
        if (slice.due()) await slice.giveWay();
      }
    }
    const gone: number[] = [];
    const repriced = new Map<number, number[]>();
    for (const row of stored) {
      if (slice.due()) await slice.giveWay();
      const key = `${Number(row.event_id)}:${row.rule_id}`;
      const entry = wanted.get(key);
      if (!entry) gone.push(Number(row.id));
      else if (entry.points !== Number(row.points)) {
        const ids = repriced.get(entry.points) ?? [];
        repriced.set(entry.points, ids);
        ids.push(Number(row.id));
      }
      wanted.delete(key);
    }
    for (let start = 0; start < gone.length; start += 500) {
      await this.db.execute(
        'DELETE FROM score_ledger WHERE id IN (:ids)',
        { ids: gone.slice(start, start + 500) },
        transaction,
      );
    }
    for (const [points, ids] of repriced) {
      for (let start = 0; start < ids.length; start += 500) {
        await this.db.execute(
          'UPDATE score_ledger SET points = :points WHERE id IN (:ids)',
          { points, ids: ids.slice(start, start + 500) },
          transaction,
        );
      }
    }
    const added = [...wanted.values()];
    for (let start = 0; start < added.length; start += 200) {
      const part = added.slice(start, start + 200);
      await this.db.execute(
        `INSERT INTO score_ledger (event_id, rule_id, profile_id, score_group, points, occurred_at, cap_key, created_at) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        part.flatMap((entry) => [
          entry.eventId,
          entry.ruleId,
          entry.profileId,
          entry.group,
          entry.points,
          entry.occurredAt,
          entry.capKey,
          now,
        ]),
        transaction,
      );
    }
  }

  /** Stores each profile's scores from its planned ledger, faded to now; records the thresholds that crosses. */
  private async writeScores(
    profileIds: readonly number[],
    planned: Map<number, PlannedEntry[]>,
    rules: RuleSet,
    now: Date,
    key: string,
    transaction: Transaction,
  ): Promise<number> {
    const stored = await this.db.select<{
      profile_id: number;
      score_group: string;
      points: number;
      updated_at: unknown;
    }>(
      'SELECT profile_id, score_group, points, updated_at FROM scores WHERE profile_id IN (:profileIds)',
      { profileIds },
      transaction,
    );
    const before = new Map<number, Map<string, number>>(profileIds.map((id) => [id, new Map()]));
    for (const row of stored) {
      const faded =
        Number(row.points) *
        decayFactor(this.db.parseTime(row.updated_at) ?? now, now, rules.halfLifeOf(row.score_group));
      before.get(Number(row.profile_id))?.set(row.score_group, faded);
    }
    // Rows are updated in place (merges record score rows by id, so unmerge can put them back); a group no rule
    // gives points to any more is left at 0.
    const rows: unknown[][] = [];
    let crossings = 0;
    const slice = new TimeSlice();
    for (const id of profileIds) {
      if (slice.due()) await slice.giveWay();
      const after = scoresOf(planned.get(id) ?? [], rules, now);
      for (const group of before.get(id)?.keys() ?? []) if (!after.has(group)) after.set(group, 0);
      for (const [group, points] of after) rows.push([id, group, points, now]);
      crossings += await this.thresholds.record(
        id,
        { before: before.get(id) ?? new Map(), after },
        rules,
        now,
        `${key}:${id}`,
        transaction,
      );
    }
    for (let start = 0; start < rows.length; start += 200) {
      const part = rows.slice(start, start + 200);
      await this.db.execute(
        `INSERT INTO scores (profile_id, score_group, points, updated_at) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}${this.db.onConflictUpdate(['profile_id', 'score_group'], ['points', 'updated_at'])}`,
        part.flat(),
        transaction,
      );
    }
    return crossings;
  }
}
