import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { ConflictError } from '../errors/conflict.error';
import { LedgerChange, type PlannedEntry, scoresOf } from './ledger-plan';
import { RuleSet } from './rule-set';
import type { RulesDocument } from './rules-document.schema';
import type { RulesProvider } from './rules.provider';
import { decayFactor } from './score-decay';
import type { ScoreThresholds } from './score-thresholds';
import type { TagRuleSweep } from './tag-rule-sweep';

export interface ApplyOutcome {
  profilesRescored: number;
  crossings: number;
  tagCandidates: number;
  tagsUpdated: number;
}

/**
 * Applies a rules document: it becomes the rules in force at once (new events score by it), then every profile whose
 * ledger it touches is scored again from its events, a batch per transaction with the batch's profiles locked, and
 * every rule tag is brought up to date. Safe to run again: a profile already scored by the rules is left as it is.
 */
export class RulesBackfill {
  constructor(
    private readonly db: Database,
    private readonly provider: RulesProvider,
    private readonly thresholds: ScoreThresholds,
    private readonly sweep: TagRuleSweep,
    private readonly options: { timezone: string; batchSize: number; concurrency: number },
  ) {}

  private running: Promise<void> | undefined;
  private last: { startedAt: string; actor: string; outcome?: ApplyOutcome; error?: string } | undefined;

  /** The backfill under way or last finished in this process. */
  get status(): { running: boolean; startedAt: string; actor: string; outcome?: ApplyOutcome; error?: string } | { running: false } {
    return this.last ? { running: this.running !== undefined, ...this.last } : { running: false };
  }

  /** Starts applying `document` unless an apply is under way (then ConflictError); the promise settles when done. */
  start(document: RulesDocument, actor: string, now: Date, log: Logger): Promise<ApplyOutcome> {
    if (this.running) throw new ConflictError('rules are being applied already: wait for that backfill to finish');
    const started = { startedAt: now.toISOString(), actor };
    this.last = started;
    const run = this.apply(document, actor, now, log).then(
      (outcome) => {
        this.last = { ...started, outcome };
        return outcome;
      },
      (error: unknown) => {
        this.last = { ...started, error: (error as Error).message };
        log.error({ err: error }, 'rules backfill failed; apply the rules again to finish it');
        throw error;
      },
    );
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    void this.running.then(() => {
      this.running = undefined;
    });
    return run;
  }

  private async apply(document: RulesDocument, actor: string, now: Date, log: Logger): Promise<ApplyOutcome> {
    // Applying the rules already in force (say, to finish a backfill that failed) scores every rule again from the
    // events: the ledger is rebuilt whatever state the last attempt left it in.
    const current = this.provider.current;
    const before = JSON.stringify(current.document) === JSON.stringify(document) ? new RuleSet({ ...current.document, scoring: [] }) : current;
    const after = await this.provider.apply(document, actor);
    const change = new LedgerChange(before, after);
    const key = `rules-apply:${now.toISOString()}`;
    const ids = change.empty ? [] : await change.affectedProfiles(this.db);
    let crossings = 0;
    for (let start = 0; start < ids.length; start += this.options.batchSize) {
      const batch = ids.slice(start, start + this.options.batchSize);
      crossings += await this.db.transaction(async (transaction) => {
        const live = (
          await this.db.select<{ id: number }>(`SELECT id FROM profiles WHERE id IN (:batch) AND merged_into IS NULL AND erased_at IS NULL ORDER BY id${this.db.forUpdate}`, { batch }, transaction)
        ).map((row) => Number(row.id));
        if (live.length === 0) return 0;
        const planned = await change.plan(this.db, live, this.options.timezone, transaction);
        await this.writeLedger(live, planned, now, transaction);
        return this.writeScores(live, planned, after, now, key, transaction);
      });
      log.info({ rescored: Math.min(start + this.options.batchSize, ids.length), of: ids.length }, 'rules apply: profiles scored again');
    }
    const swept = await this.sweep.run(after, now, key, { concurrency: this.options.concurrency, batchSize: this.options.batchSize });
    const outcome = { profilesRescored: ids.length, crossings, tagCandidates: swept.candidates, tagsUpdated: swept.updated };
    log.info(outcome, 'rules applied and backfilled');
    return outcome;
  }

  /** Makes the stored ledger of `profileIds` exactly `planned`: rows removed, repriced and added by (event, rule). */
  private async writeLedger(profileIds: readonly number[], planned: Map<number, PlannedEntry[]>, now: Date, transaction: Transaction): Promise<void> {
    const stored = await this.db.select<{ id: number; event_id: number; rule_id: string; points: number }>(
      'SELECT id, event_id, rule_id, points FROM score_ledger WHERE profile_id IN (:profileIds)',
      { profileIds },
      transaction,
    );
    const wanted = new Map<string, PlannedEntry & { profileId: number }>();
    for (const [profileId, entries] of planned) for (const entry of entries) wanted.set(`${entry.eventId}:${entry.ruleId}`, { ...entry, profileId });
    const gone: number[] = [];
    const repriced = new Map<number, number[]>();
    for (const row of stored) {
      const key = `${Number(row.event_id)}:${row.rule_id}`;
      const entry = wanted.get(key);
      if (!entry) gone.push(Number(row.id));
      else if (entry.points !== Number(row.points)) repriced.set(entry.points, [...(repriced.get(entry.points) ?? []), Number(row.id)]);
      wanted.delete(key);
    }
    for (let start = 0; start < gone.length; start += 500) {
      await this.db.execute('DELETE FROM score_ledger WHERE id IN (:ids)', { ids: gone.slice(start, start + 500) }, transaction);
    }
    for (const [points, ids] of repriced) {
      for (let start = 0; start < ids.length; start += 500) {
        await this.db.execute('UPDATE score_ledger SET points = :points WHERE id IN (:ids)', { points, ids: ids.slice(start, start + 500) }, transaction);
      }
    }
    const added = [...wanted.values()];
    for (let start = 0; start < added.length; start += 200) {
      const part = added.slice(start, start + 200);
      await this.db.execute(
        `INSERT INTO score_ledger (event_id, rule_id, profile_id, score_group, points, occurred_at, cap_key, created_at) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        part.flatMap((entry) => [entry.eventId, entry.ruleId, entry.profileId, entry.group, entry.points, entry.occurredAt, entry.capKey, now]),
        transaction,
      );
    }
  }

  /** Stores each profile's scores from its planned ledger, faded to now; records the thresholds that crosses. */
  private async writeScores(profileIds: readonly number[], planned: Map<number, PlannedEntry[]>, rules: RuleSet, now: Date, key: string, transaction: Transaction): Promise<number> {
    const stored = await this.db.select<{ profile_id: number; score_group: string; points: number; updated_at: unknown }>(
      'SELECT profile_id, score_group, points, updated_at FROM scores WHERE profile_id IN (:profileIds)',
      { profileIds },
      transaction,
    );
    const before = new Map<number, Map<string, number>>(profileIds.map((id) => [id, new Map()]));
    for (const row of stored) {
      const faded = Number(row.points) * decayFactor(this.db.parseTime(row.updated_at) ?? now, now, rules.halfLifeOf(row.score_group));
      before.get(Number(row.profile_id))?.set(row.score_group, faded);
    }
    // Rows are updated in place (merges record score rows by id, so unmerge can put them back); a group no rule
    // gives points to any more is left at 0.
    const rows: unknown[][] = [];
    let crossings = 0;
    for (const id of profileIds) {
      const after = scoresOf(planned.get(id) ?? [], rules, now);
      for (const group of before.get(id)?.keys() ?? []) if (!after.has(group)) after.set(group, 0);
      for (const [group, points] of after) rows.push([id, group, points, now]);
      crossings += await this.thresholds.record(id, { before: before.get(id) ?? new Map(), after }, rules, now, `${key}:${id}`, transaction);
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
