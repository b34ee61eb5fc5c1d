import type { Transaction } from 'sequelize';
import type { LoadedFacts, ProfileFactsLoader } from '../segments/profile-facts.loader';
import { evaluateSegment } from '../segments/segment-evaluator';
import type { CompiledTagRule, FactChanges, RuleSet } from './rule-set';
import type { TagService } from './tag.service';

export interface TagOutcome {
  added: string[];
  removed: string[];
}

/** Where rule tags come from, as the tags table records it: `rule:loyal`. */
export function ruleSource(tag: string): string {
  return `rule:${tag}`;
}

/**
 * Keeps rule tags true for one profile: a rule's tag is added when its expression holds and removed when it no longer
 * does (re-armed, not fire-once). A rule only removes the tag it set: the same tag added by an operator or the CRM
 * stays until they take it away. In an exclusive category the first rule that holds sets its tag and the later ones
 * don't hold, so the order rules are written in gives precedence (churned before active). Rules that read tags are
 * evaluated again after a tag changed, until nothing changes; a tag changes at most once per evaluation.
 */
export class TagRuleService {
  constructor(
    private readonly facts: ProfileFactsLoader,
    private readonly tags: TagService,
  ) {}

  /**
   * Brings the profile's rule tags in line with `rules` at `now`: the rules `changes` can move (all without it).
   * `key` makes the timeline events idempotent.
   */
  async apply(profileId: number, rules: RuleSet, now: Date, key: string, transaction: Transaction, changes?: FactChanges): Promise<TagOutcome> {
    return this.settle(profileId, rules.tagRulesAffectedBy(changes), undefined, rules, now, key, transaction);
  }

  /**
   * The same for many profiles at once (a sweep's batch, a pipeline transaction's profiles; locked by the caller):
   * their facts are read together, so a batch costs a few queries rather than a few per profile. `changesOf` narrows
   * each profile's rules as in `apply`. Answers how many profiles changed.
   */
  async applyMany(
    profileIds: readonly number[],
    rules: RuleSet,
    now: Date,
    keyOf: (profileId: number) => string,
    transaction: Transaction,
    changesOf: (profileId: number) => FactChanges | undefined = () => undefined,
  ): Promise<number> {
    const candidates = new Map(profileIds.map((id) => [id, rules.tagRulesAffectedBy(changesOf(id))]));
    const exprs = [...new Set([...candidates.values()].flat())].map((rule) => rule.expr);
    if (exprs.length === 0) return 0;
    const facts = await this.facts.loadMany(profileIds, exprs, now, transaction, { tags: true });
    let changed = 0;
    for (const profileId of profileIds) {
      const outcome = await this.settle(profileId, candidates.get(profileId) ?? [], facts.get(profileId), rules, now, keyOf(profileId), transaction);
      if (outcome.added.length + outcome.removed.length > 0) changed += 1;
    }
    return changed;
  }

  /** Evaluates `candidates` (on `loaded` facts when given, else read now), then again the rules reading what changed. */
  private async settle(profileId: number, first: readonly CompiledTagRule[], loaded: LoadedFacts | undefined, rules: RuleSet, now: Date, key: string, transaction: Transaction): Promise<TagOutcome> {
    const outcome: TagOutcome = { added: [], removed: [] };
    // A tag changes at most once per call: a rule that contradicts itself (or two that feed each other) can't loop.
    const settled = new Set<string>();
    const stageOf = (held: ReadonlyMap<string, string>) => [...held.keys()].find((tag) => tag.startsWith('lifecycle/')) ?? null;
    let stageBefore: string | null | undefined;
    let stageAfter: string | null = null;
    let candidates = first;
    let facts = loaded;
    while (candidates.length > 0) {
      // Tags are always read, with their sources: which rule tags are held, and by whom.
      facts ??= await this.facts.load(profileId, candidates.map((rule) => rule.expr), now, transaction, { tags: true });
      const held = facts.tagSources;
      if (stageBefore === undefined) stageBefore = stageOf(held);
      const changedTags = await this.round(profileId, candidates, facts, rules, now, key, transaction, settled, outcome);
      stageAfter = stageOf(held);
      // Only rules that read a tag that changed can change because of it; their facts are read again.
      candidates = changedTags.length > 0 ? rules.tagRulesReading(changedTags) : [];
      facts = undefined;
    }
    if (stageBefore !== undefined) await this.tags.recordLifecycleChange(profileId, stageBefore, stageAfter, key, now, transaction);
    return outcome;
  }

  /** One pass over `candidates`; answers the tags that changed (kept up to date in `facts.tagSources`). */
  private async round(
    profileId: number,
    candidates: readonly CompiledTagRule[],
    facts: LoadedFacts,
    rules: RuleSet,
    now: Date,
    key: string,
    transaction: Transaction,
    settled: Set<string>,
    outcome: TagOutcome,
  ): Promise<string[]> {
    const held = facts.tagSources;
    const changedTags: string[] = [];
    // In an exclusive category (lifecycle) the first rule that holds wins; the later ones don't hold.
    const taken = new Set<string>();
    for (const rule of candidates) {
      let holds = evaluateSegment(rule.expr, facts, now);
      if (rules.isExclusive(rule.category)) {
        holds &&= !taken.has(rule.category);
        if (holds) taken.add(rule.category);
      }
      if (settled.has(rule.tag)) continue;
      const source = held.get(rule.tag);
      if (holds && source === undefined) {
        const done = await this.tags.apply({ profileId, add: [rule.tag], source: ruleSource(rule.tag), at: now, key, held: new Set(held.keys()) }, transaction);
        outcome.added.push(rule.tag);
        held.set(rule.tag, ruleSource(rule.tag));
        for (const tag of done.removed) held.delete(tag);
        changedTags.push(rule.tag, ...done.removed);
      } else if (!holds && source === ruleSource(rule.tag)) {
        await this.tags.apply({ profileId, remove: [rule.tag], source: ruleSource(rule.tag), at: now, key, held: new Set(held.keys()) }, transaction);
        outcome.removed.push(rule.tag);
        held.delete(rule.tag);
        changedTags.push(rule.tag);
      } else {
        continue;
      }
      settled.add(rule.tag);
    }
    return changedTags;
  }
}
