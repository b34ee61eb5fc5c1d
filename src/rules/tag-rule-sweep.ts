import type { Database } from '../db/database';
import type { SegmentExpr } from '../segments/segment-ast';
import { compileSegment, liveProfiles } from '../segments/segment-sql.compiler';
import type { CompiledTagRule, RuleSet } from './rule-set';
import { ruleSource, type TagRuleService } from './tag-rule.service';

/** Membership of `p` among a rule tag's holders (from any source, and from its own rule), as SQL predicates. */
export const ruleTagHolders = {
  any: 'p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = :ruleTag)',
  byRule: 'p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = :ruleTag AND t.source = :ruleSource)',
  values: (tag: string) => ({ ruleTag: tag, ruleSource: ruleSource(tag) }),
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
    options: { concurrency: number; batchSize: number; signal?: AbortSignal; onRule?: (rule: string, candidates: number) => void; onBatch?: (done: number, of: number) => void },
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
    const worker = async () => {
      while (queue.length > 0 && !options.signal?.aborted) {
        const batch = queue.splice(0, options.batchSize);
        // Not `updated += await …`: that reads `updated` before the wait, and the other workers' counts would be lost.
        const changed = await this.db.transaction(async (transaction) => {
          // Locked in id order, so batches and the pipeline queue for a profile instead of overruling each other.
          const live = (
            await this.db.select<{ id: number }>(
              `SELECT id FROM profiles WHERE id IN (:batch) AND merged_into IS NULL AND erased_at IS NULL ORDER BY id${this.db.forUpdate}`,
              { batch },
              transaction,
            )
          ).map((row) => Number(row.id));
          return this.tagRules.applyMany(live, rules, now, (id) => `${key}:${id}`, transaction);
        });
        updated += changed;
        done += batch.length;
        options.onBatch?.(done, candidates.size);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    return { candidates: candidates.size, updated };
  }

  /**
   * Live profiles where the rule should hold and no source gave the tag, or where its own tag should no longer hold.
   * The expression is written once (a CASE), so each of its sets is computed once per rule, not once per branch.
   */
  private async disagreements(rule: CompiledTagRule, holds: SegmentExpr, now: Date): Promise<number[]> {
    const { sql, values } = await compileSegment(holds, { dialect: this.db.dialect, now });
    const rows = await this.db.select<{ id: number }>(
      `SELECT p.id FROM profiles p WHERE ${liveProfiles} AND CASE WHEN ${sql} THEN NOT ${ruleTagHolders.any} ELSE ${ruleTagHolders.byRule} END`,
      { ...values, ...ruleTagHolders.values(rule.tag) },
    );
    return rows.map((row) => Number(row.id));
  }
}
