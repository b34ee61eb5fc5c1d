import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { ProfileFactsLoader } from '../segments/profile-facts.loader';
import { evaluateSegment } from '../segments/segment-evaluator';
import type { RuleSet } from './rule-set';
import type { TagService } from './tag.service';

/** Where rule tags come from, as the tags table records it: `rule:loyal`. */
export function ruleSource(tag: string): string {
  return `rule:${tag}`;
}

/**
 * Keeps rule tags true for one profile: a rule's tag is added when its expression holds and removed when it no longer
 * does (re-armed, not fire-once). A rule only removes the tag it set: the same tag added by an operator or the CRM
 * stays until they take it away. In an exclusive category the first rule that holds sets its tag and the later ones
 * don't hold, so the order rules are written in gives precedence (churned before active). Rules that read tags other
 * rules set are evaluated again until nothing changes; a tag changes at most once per evaluation.
 */
export class TagRuleService {
  constructor(
    private readonly db: Database,
    private readonly facts: ProfileFactsLoader,
    private readonly tags: TagService,
  ) {}

  /** Brings the profile's rule tags in line with `rules` at `now`; `key` makes the timeline events idempotent. */
  async apply(profileId: number, rules: RuleSet, now: Date, key: string, transaction: Transaction): Promise<{ added: string[]; removed: string[] }> {
    const added: string[] = [];
    const removed: string[] = [];
    if (rules.tagRules.length === 0) return { added, removed };
    const exprs = rules.tagRules.map((rule) => rule.expr);
    // A tag changes at most once per call: a rule that contradicts itself (or two that feed each other) can't loop.
    const settled = new Set<string>();
    for (;;) {
      const facts = await this.facts.load(profileId, exprs, now, transaction);
      const held = new Map(
        (
          await this.db.select<{ name: string; source: string }>(
            'SELECT name, source FROM tags WHERE profile_id = :profileId AND name IN (:names)',
            { profileId, names: rules.tagRules.map((rule) => rule.tag) },
            transaction,
          )
        ).map((row) => [row.name, row.source]),
      );
      let changed = false;
      // In an exclusive category (lifecycle) the first rule that holds wins; the later ones don't hold.
      const taken = new Set<string>();
      for (const rule of rules.tagRules) {
        let holds = evaluateSegment(rule.expr, facts, now);
        if (rules.isExclusive(rule.category)) {
          holds &&= !taken.has(rule.category);
          if (holds) taken.add(rule.category);
        }
        if (settled.has(rule.tag)) continue;
        const source = held.get(rule.tag);
        if (holds && source === undefined) {
          await this.tags.apply({ profileId, add: [rule.tag], source: ruleSource(rule.tag), at: now, key }, transaction);
          added.push(rule.tag);
          settled.add(rule.tag);
          changed = true;
        } else if (!holds && source === ruleSource(rule.tag)) {
          await this.tags.apply({ profileId, remove: [rule.tag], source: ruleSource(rule.tag), at: now, key }, transaction);
          removed.push(rule.tag);
          settled.add(rule.tag);
          changed = true;
        }
      }
      if (!changed) break;
    }
    return { added, removed };
  }
}
