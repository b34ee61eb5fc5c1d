import { DatabaseStatementError } from '../db/db.errors';
import type { Database } from '../db/database';
import { liveProfilesAmong, liveProfilesWhere, lockProfiles } from '../profiles/live-profile';
import { ValidationError } from '../errors/app.errors';
import { rulesText } from './rules.messages';
import type { SegmentExpr } from '../segments/segment-ast';
import { compileSegment } from '../segments/segment-sql-compiler';
import type { CompiledTagRule, RuleSet } from './rule-set';
import { ruleSource, type TagRuleService } from './tag-rule.service';

/** Membership of `p` among a rule tag's holders (from any source, and from its own rule), as SQL predicates. */
export const ruleTagHolders = {
  any: 'p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = :ruleTag)',
  byRule: 'p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = :ruleTag AND t.source = :ruleSource)',
  values: (tag: string) => ({ ruleTag: tag, ruleSource: ruleSource(tag) }),
};

/** One profile holding one rule tag, as a set key. */
export const ruleTagHolding = (profileId: number, tag: string) => `${profileId}\u0000${tag}`;
const parseHolding = (holding: string): [number, string] => {
  const at = holding.indexOf('\u0000');
  return [Number(holding.slice(0, at)), holding.slice(at + 1)];
};

export interface SweepProgress {
  /** Profiles whose rule tags were out of date. */
  candidates: number;
  /** Of those, the ones brought up to date. */
  updated: number;
}

/**
 * Keeps rule tags true over all profiles as time passes (windows close, people fall silent, scores fade): each rule
 * is asked in SQL only for the profiles it disagrees with (the expression holds and the tag is missing, or the rule's
 * tag is there and the expression no longer holds), and each of those is then brought up to date under its profile
 * lock by the same in-memory evaluation the pipeline uses (a batch of profiles per transaction), so an event arriving meanwhile is never overruled by a
 * stale set. A profile already up to date isn't touched, which makes a rerun cheap and an interrupted run resumable.
 */
export class TagRuleSweep {
  constructor(
    private readonly db: Database,
    private readonly tagRules: TagRuleService,
  ) {}

  async run(
    rules: RuleSet,
    now: Date,
    key: string,
    options: {
      concurrency: number;
      batchSize: number;
      signal?: AbortSignal;
      onRule?: (rule: string, candidates: number) => void;
      onBatch?: (done: number, of: number) => void;
    },
  ): Promise<SweepProgress> {
    const candidates = new Set<number>();
    for (const [index, rule] of rules.tagRules.entries()) {
      if (options.signal?.aborted) break;
      const found = await this.disagreements(rule, rules.effectiveExpr(index), now);
      found.forEach((id) => candidates.add(id));
      options.onRule?.(rule.tag, found.length);
    }
    const queue = [...candidates].sort((a, b) => a - b);
    let updated = 0;
    let done = 0;
    // The first batch that fails stops the others before they take another: the caller may undo what was written,
    // and must not race workers still writing.
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (queue.length > 0 && !options.signal?.aborted && !failure) {
        const batch = queue.splice(0, options.batchSize);
        // Not `updated += await …`: that reads `updated` before the wait, and the other workers' counts would be lost.
        const changed = await this.db.transaction(async (transaction) => {
          // Locked in id order, so batches and the pipeline queue for a profile instead of overruling each other.
          const live = await liveProfilesAmong(this.db, batch, transaction, { lock: true });
          return this.tagRules.applyMany(live, rules, now, (id) => `${key}:${id}`, transaction);
        });
        updated += changed;
        done += batch.length;
        options.onBatch?.(done, candidates.size);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, options.concurrency) }, () =>
        worker().catch((error: unknown) => {
          failure ??= { error };
        }),
      ),
    );
    if (failure) throw failure.error;
    return { candidates: candidates.size, updated };
  }

  /** Who holds each of `tags` from its rule (source `rule:<tag>`), as `ruleTagHolding` keys. */
  async holdersOf(tags: readonly string[]): Promise<Set<string>> {
    const holdings = new Set<string>();
    if (tags.length === 0) return holdings;
    for (const row of await this.db.selectLong<{ profile_id: number; name: string; source: string }>(
      'SELECT profile_id, name, source FROM tags WHERE name IN (:tags)',
      { tags },
    )) {
      if (row.source === ruleSource(row.name)) holdings.add(ruleTagHolding(Number(row.profile_id), row.name));
    }
    return holdings;
  }

  /**
   * Takes away the tags that rules gave for `tags` (source `rule:<tag>`), except the holdings in `keep`: what undoing
   * an apply does with the tags of rules only the failed document had. A batch of profiles per transaction, locked in
   * id order; each removal is a `tag_removed` event.
   */
  async retire(
    tags: readonly string[],
    keep: ReadonlySet<string>,
    now: Date,
    key: string,
    batchSize: number,
  ): Promise<number> {
    const byProfile = new Map<number, string[]>();
    for (const holding of await this.holdersOf(tags)) {
      if (keep.has(holding)) continue;
      const [profileId, tag] = parseHolding(holding);
      byProfile.set(profileId, [...(byProfile.get(profileId) ?? []), tag]);
    }
    const ids = [...byProfile.keys()].sort((a, b) => a - b);
    for (let start = 0; start < ids.length; start += batchSize) {
      const batch = ids.slice(start, start + batchSize);
      await this.db.transaction(async (transaction) => {
        const live = await lockProfiles(this.db, batch, transaction);
        await this.tagRules.removeRuleTags(
          live.map((profileId) => ({ profileId, tags: byProfile.get(profileId) ?? [] })),
          now,
          (profileId) => `${key}:${profileId}`,
          transaction,
        );
      });
    }
    return ids.length;
  }

  /**
   * Refuses rules the database can't evaluate before anything is written: each rule's statement is run over no
   * profiles (`1 = 0`), which costs nothing yet has the database read all of it, so what it refuses outright (on
   * SQLite an expression tree deeper than 1,000, or more than 32,766 bound values) is a ValidationError naming the tag.
   */
  async check(rules: RuleSet, now: Date): Promise<void> {
    const problems: string[] = [];
    for (const [index, rule] of rules.tagRules.entries()) {
      try {
        await this.disagreements(rule, rules.effectiveExpr(index), now, { probe: true });
      } catch (error) {
        // Only a refusal of the statement itself: a busy or unreachable database is no fault of the rules.
        if (!(error instanceof DatabaseStatementError)) throw error;
        problems.push(
          `tags.rules (tag ${rule.tag}): the database can't evaluate this rule: ${(error as Error).message}`,
        );
      }
    }
    if (problems.length > 0) throw new ValidationError(rulesText('rules.databaseRefuses'), { problems });
  }

  /**
   * Live profiles where the rule should hold and no source gave the tag, or where its own tag should no longer hold.
   * The expression is written once (a CASE), so each of its sets is computed once per rule, not once per branch.
   */
  private async disagreements(
    rule: CompiledTagRule,
    holds: SegmentExpr,
    now: Date,
    options: { probe?: boolean } = {},
  ): Promise<number[]> {
    const { sql, values } = await compileSegment(holds, { dialect: this.db.dialect, now });
    const rows = await this.db.selectLong<{ id: number }>(
      `SELECT p.id FROM ${liveProfilesWhere('p')}${options.probe ? ' AND 1 = 0' : ''} AND CASE WHEN ${sql} THEN NOT ${ruleTagHolders.any} ELSE ${ruleTagHolders.byRule} END`,
      { ...values, ...ruleTagHolders.values(rule.tag) },
    );
    return rows.map((row) => Number(row.id));
  }
}
