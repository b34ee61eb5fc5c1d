import type { Database } from '../db/database';
import type { ProfileFactsRepository } from '../segments/profile-facts.repository';
import { factNeeds } from '../segments/segment-dependencies';
import { evaluateSegment, type ProfileFacts } from '../segments/segment-evaluator';
import { liveProfilesAmong, liveProfilesWhere } from '../profiles/live-profile';
import { compileSegment } from '../segments/segment-sql-compiler';
import { TimeSlice } from '../util/time-slice';
import { LedgerChange } from './ledger-plan';
import { RuleSet } from './rule-set';
import { assertWithinCeiling, type RulesCeiling } from './rules-ceiling.schema';
import { decayFactor } from './score-decay';
import type { RulesDocument } from './rules-document.schema';
import type { RulesProvider } from './rules-provider';
import { ruleTagHolders, type TagRuleSweep } from './tag-rule-sweep';
import { ruleSource } from './tag-rule.service';

/** Width of a score band in the distributions. */
const bandWidth = 10;
/** Scores from here up share the last band. */
const topBand = 200;

export interface TagImpact {
  tag: string;
  /** Live profiles holding the tag now (from any source). */
  holders: number;
  /** Profiles that would get the tag. */
  gain: number;
  /** Profiles whose rule-set tag would go. */
  lose: number;
}

export interface RulesPreviewResult {
  at: string;
  scoring: {
    /** Rules scored again from the events, repriced, and dropped. */
    replayed: string[];
    repriced: string[];
    dropped: string[];
    /** Profiles whose ledger the change touches, and of those the ones whose total would change. */
    profilesAffected: number;
    profilesChanged: number;
    /** Live profiles per band of total score (`from` inclusive, `bandWidth` wide; the last band open-ended). */
    distribution: { from: number; before: number; after: number }[];
    mean: { before: number; after: number };
  };
  tags: TagImpact[];
}

/** Per group, not only in total: a rule may read one group (`score.intent >= 40`). */
function sameScores(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return [...new Set([...a.keys(), ...b.keys()])].every(
    (group) => Math.abs((a.get(group) ?? 0) - (b.get(group) ?? 0)) <= 1e-9,
  );
}

const bandOf = (total: number) => Math.max(0, Math.min(topBand, Math.floor(total / bandWidth) * bandWidth));
const totalOf = (scores: ReadonlyMap<string, number>) => [...scores.values()].reduce((sum, points) => sum + points, 0);

/**
 * What a changed rules document would do, without writing anything: the ledger each touched profile would have
 * (the same plan `apply` writes), how the score distribution would move, and how many profiles would gain or lose
 * each rule tag. Tags are counted in SQL over everyone; for profiles whose score would change, rules that read the
 * score are evaluated in memory with the new score instead, so the numbers are the ones `apply` produces.
 */
export class RulesPreview {
  constructor(
    private readonly db: Database,
    private readonly provider: RulesProvider,
    private readonly facts: ProfileFactsRepository,
    /** Refuses rules the database can't evaluate, as apply does. */
    private readonly sweep: Pick<TagRuleSweep, 'check'>,
    private readonly options: { timezone: string; batchSize: number; ceiling: RulesCeiling },
  ) {}

  async preview(document: RulesDocument, now: Date): Promise<RulesPreviewResult> {
    assertWithinCeiling(document, this.options.ceiling);
    const before = this.provider.current;
    const after = new RuleSet(document);
    await this.sweep.check(after, now);
    const change = new LedgerChange(before, after);
    const affected = change.empty ? [] : await change.affectedProfiles(this.db);
    // A hundred thousand profiles make every loop here long: each gives way between slices (see TimeSlice).
    const slice = new TimeSlice();

    // New scores of the touched profiles (faded to now, as apply stores them) next to what is stored.
    const stored = new Map<number, Map<string, number>>();
    const fadedNow = new Map<number, number>();
    const planned = new Map<number, Map<string, number>>();
    for (let start = 0; start < affected.length; start += this.options.batchSize) {
      const batch = affected.slice(start, start + this.options.batchSize);
      const live = await liveProfilesAmong(this.db, batch, undefined, { long: true });
      if (live.length === 0) continue;
      const rows = await this.db.selectLong<{
        profile_id: number;
        score_group: string;
        points: number;
        updated_at: unknown;
      }>('SELECT profile_id, score_group, points, updated_at FROM scores WHERE profile_id IN (:live)', { live });
      for (const row of rows) {
        const id = Number(row.profile_id);
        stored.set(id, (stored.get(id) ?? new Map<string, number>()).set(row.score_group, Number(row.points)));
        const faded =
          Number(row.points) *
          decayFactor(this.db.parseTime(row.updated_at) ?? now, now, before.halfLifeOf(row.score_group));
        fadedNow.set(id, (fadedNow.get(id) ?? 0) + faded);
      }
      // Only the sums are needed: each planned row is faded and added as it comes, not kept.
      for (const id of live) planned.set(id, new Map());
      await change.eachEntry(this.db, live, this.options.timezone, (id, entry) => {
        const scores = planned.get(id);
        scores?.set(
          entry.group,
          (scores.get(entry.group) ?? 0) +
            entry.points * decayFactor(entry.occurredAt, now, after.halfLifeOf(entry.group)),
        );
      });
    }
    // Profiles whose score the change moves: the plan against the stored scores faded to now (fading alone is no
    // change). Apply stores every touched profile's score as planned; where that differs from what is stored (what the
    // SQL reads), rules reading the score are counted with the planned one (`restored`).
    const changed: number[] = [];
    const restored: number[] = [];
    for (const [id, scores] of planned) {
      if (slice.due()) await slice.giveWay();
      if (Math.abs(totalOf(scores) - (fadedNow.get(id) ?? 0)) > 1e-6) changed.push(id);
      if (!sameScores(scores, stored.get(id) ?? new Map())) restored.push(id);
    }

    return {
      at: now.toISOString(),
      scoring: {
        replayed: change.replayed.map((rule) => rule.id),
        repriced: change.repriced,
        dropped: change.dropped,
        profilesAffected: planned.size,
        profilesChanged: changed.length,
        ...(await this.distribution(stored, planned, slice)),
      },
      tags: await this.tagImpacts(after, restored, stored, planned, now, slice),
    };
  }

  private async distribution(
    stored: Map<number, Map<string, number>>,
    planned: Map<number, Map<string, number>>,
    slice: TimeSlice,
  ): Promise<Pick<RulesPreviewResult['scoring'], 'distribution' | 'mean'>> {
    const rows = await this.db.selectLong<{ band: number; n: number; total: number }>(
      `SELECT FLOOR(t.total / ${bandWidth}) AS band, COUNT(*) AS n, SUM(t.total) AS total
         FROM (SELECT p.id, COALESCE((SELECT SUM(sc.points) FROM scores sc WHERE sc.profile_id = p.id), 0) AS total FROM ${liveProfilesWhere('p')}) t
        GROUP BY FLOOR(t.total / ${bandWidth})`,
    );
    const bands = new Map<number, { before: number; after: number }>();
    const band = (from: number) => {
      const counts = bands.get(from) ?? { before: 0, after: 0 };
      bands.set(from, counts);
      return counts;
    };
    let count = 0;
    let sumBefore = 0;
    for (const row of rows) {
      const from = bandOf(Number(row.band) * bandWidth);
      band(from).before += Number(row.n);
      band(from).after += Number(row.n);
      count += Number(row.n);
      sumBefore += Number(row.total);
    }
    let sumAfter = sumBefore;
    for (const [id, scores] of planned) {
      if (slice.due()) await slice.giveWay();
      const was = totalOf(stored.get(id) ?? new Map());
      const will = totalOf(scores);
      band(bandOf(was)).after -= 1;
      band(bandOf(will)).after += 1;
      sumAfter += will - was;
    }
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      distribution: [...bands].sort(([a], [b]) => a - b).map(([from, counts]) => ({ from, ...counts })),
      mean: { before: count ? round(sumBefore / count) : 0, after: count ? round(sumAfter / count) : 0 },
    };
  }

  private async tagImpacts(
    rules: RuleSet,
    changed: readonly number[],
    stored: Map<number, Map<string, number>>,
    planned: Map<number, Map<string, number>>,
    now: Date,
    slice: TimeSlice,
  ): Promise<TagImpact[]> {
    const impacts: TagImpact[] = [];
    for (const [index, rule] of rules.tagRules.entries()) {
      const holds = rules.effectiveExpr(index);
      const { sql, values } = await compileSegment(holds, { dialect: this.db.dialect, now });
      const { any, byRule } = ruleTagHolders;
      // The expression is written once (its values bound once), as in the sweep: what one accepts, the other does.
      const [row] = await this.db.selectLong<{ holders: number | null; gain: number | null; lose: number | null }>(
        `SELECT SUM(CASE WHEN ${any} THEN 1 ELSE 0 END) AS holders,
                SUM(CASE WHEN p.holds = 1 AND NOT ${any} THEN 1 ELSE 0 END) AS gain,
                SUM(CASE WHEN p.holds = 0 AND ${byRule} THEN 1 ELSE 0 END) AS lose
           FROM (SELECT p.id, CASE WHEN ${sql} THEN 1 ELSE 0 END AS holds FROM ${liveProfilesWhere('p')}) p`,
        { ...values, ...ruleTagHolders.values(rule.tag) },
      );
      const impact = {
        tag: rule.tag,
        holders: Number(row?.holders ?? 0),
        gain: Number(row?.gain ?? 0),
        lose: Number(row?.lose ?? 0),
      };
      // Profiles whose score would change: the SQL read their stored score; count them with the new one instead.
      if (factNeeds(holds).scores) {
        for (let start = 0; start < changed.length; start += this.options.batchSize) {
          const batch = changed.slice(start, start + this.options.batchSize);
          const facts = await this.facts.loadMany(batch, [holds], now);
          const sources = new Map(
            (
              await this.db.selectLong<{ profile_id: number; source: string }>(
                'SELECT profile_id, source FROM tags WHERE name = :tag AND profile_id IN (:batch)',
                { tag: rule.tag, batch },
              )
            ).map((tag) => [Number(tag.profile_id), tag.source]),
          );
          for (const id of batch) {
            if (slice.due()) await slice.giveWay();
            const current = facts.get(id) as ProfileFacts;
            const withNewScore: ProfileFacts = { ...current, scores: planned.get(id) ?? new Map() };
            const source = sources.get(id);
            const count = (facts: ProfileFacts) => {
              const on = evaluateSegment(holds, facts, now);
              return { gain: on && source === undefined ? 1 : 0, lose: !on && source === ruleSource(rule.tag) ? 1 : 0 };
            };
            const was = count({ ...current, scores: stored.get(id) ?? new Map() });
            const will = count(withNewScore);
            impact.gain += will.gain - was.gain;
            impact.lose += will.lose - was.lose;
          }
        }
      }
      impacts.push(impact);
    }
    return impacts;
  }
}
