import type { Transaction } from 'sequelize';
import type { LoadedFacts, ProfileFactsRepository } from '../segments/profile-facts.repository';
import { evaluateSegment } from '../segments/segment-evaluator';
import type { CompiledTagRule, FactChanges, RuleSet } from './rule-set';
import type { TagChange, TagService } from './tag.service';
import { TimeSlice } from '../util/time-slice';

/** Where rule tags come from, as the tags table records it: `rule:loyal`. */
export function ruleSource(tag: string): string {
  return `rule:${tag}`;
}

/** One profile's way through `applyMany`'s rounds. */
interface Settling {
  profileId: number;
  key: string;
  /** The rules to evaluate in the next round. */
  candidates: readonly CompiledTagRule[];
  /** Tags that changed already: a tag changes at most once, so rules that contradict themselves can't loop. */
  settled: Set<string>;
  stageBefore: string | null | undefined;
  stageAfter: string | null;
}

/**
 * Keeps rule tags true: a rule's tag is added when its expression holds and removed when it no longer does
 * (re-armed, not fire-once). A rule only removes the tag it set: the same tag added by an operator or the CRM stays
 * until they take it away. In an exclusive category the first rule that holds sets its tag and the later ones don't
 * hold, so the order rules are written in gives precedence (churned before active). Rules that read tags are
 * evaluated again after a tag changed, until nothing changes; a tag changes at most once per evaluation.
 */
export class TagRuleService {
  constructor(
    private readonly facts: ProfileFactsRepository,
    private readonly tags: TagService,
  ) {}

  /**
   * Brings the rule tags of many profiles (a sweep's batch, a pipeline transaction's profiles; locked by the caller)
   * in line with `rules` at `now`. Their facts are read together and their tag changes written together, so a batch
   * costs a few queries per round rather than a few per profile. `changesOf` narrows each profile's rules to those
   * its changes can move (all without it); `keyOf` makes the timeline events idempotent. Answers how many profiles
   * changed.
   */
  async applyMany(
    profileIds: readonly number[],
    rules: RuleSet,
    now: Date,
    keyOf: (profileId: number) => string,
    transaction: Transaction,
    changesOf: (profileId: number) => FactChanges | undefined = () => undefined,
  ): Promise<number> {
    let active: Settling[] = profileIds.map((profileId) => ({
      profileId,
      key: keyOf(profileId),
      candidates: rules.tagRulesAffectedBy(changesOf(profileId)),
      settled: new Set(),
      stageBefore: undefined,
      stageAfter: null,
    }));
    const all = active;
    const slice = new TimeSlice();
    const stageOf = (held: ReadonlyMap<string, string>) =>
      [...held.keys()].find((tag) => tag.startsWith('lifecycle/')) ?? null;
    for (;;) {
      active = active.filter((profile) => profile.candidates.length > 0);
      if (active.length === 0) break;
      // Tags are always read, with their sources: which rule tags are held, and by whom.
      const exprs = [...new Set(active.flatMap((profile) => profile.candidates))].map((rule) => rule.expr);
      const facts = await this.facts.loadMany(
        active.map((profile) => profile.profileId),
        exprs,
        now,
        transaction,
        { tags: true },
      );
      const changes: TagChange[] = [];
      for (const profile of active) {
        // A sweep's batch is a thousand profiles with every rule: requests are answered between slices of it.
        if (slice.due()) await slice.giveWay();
        const held = facts.get(profile.profileId);
        if (!held) {
          profile.candidates = [];
          continue;
        }
        profile.stageBefore ??= stageOf(held.tagSources);
        const changedTags = this.round(profile, held, rules, now, changes);
        profile.stageAfter = stageOf(held.tagSources);
        // Only rules that read a tag that changed can change because of it; their facts are read again.
        profile.candidates = changedTags.length > 0 ? rules.tagRulesReading(changedTags) : [];
      }
      await this.tags.applyMany(changes, transaction);
    }
    await this.tags.recordLifecycleChanges(
      all.flatMap((profile) =>
        profile.stageBefore === undefined
          ? []
          : [
              {
                profileId: profile.profileId,
                from: profile.stageBefore,
                to: profile.stageAfter,
                key: profile.key,
                at: now,
              },
            ],
      ),
      transaction,
    );
    return all.filter((profile) => profile.settled.size > 0).length;
  }

  /** Takes away rule tags (each from its own rule: source `rule:<tag>`) from profiles locked by the caller. */
  async removeRuleTags(
    removals: readonly { profileId: number; tags: readonly string[] }[],
    now: Date,
    keyOf: (profileId: number) => string,
    transaction: Transaction,
  ): Promise<void> {
    const changes = removals.flatMap(({ profileId, tags }) =>
      tags.map((tag): TagChange => ({
        profileId,
        remove: [tag],
        source: ruleSource(tag),
        at: now,
        key: keyOf(profileId),
      })),
    );
    await this.tags.applyMany(changes, transaction);
  }

  /**
   * One pass over a profile's candidates: the tag changes it makes go to `changes` (to be written with the other
   * profiles'), and `facts.tagSources` follows them. Answers the tags that changed.
   */
  private round(profile: Settling, facts: LoadedFacts, rules: RuleSet, now: Date, changes: TagChange[]): string[] {
    const held = facts.tagSources;
    const changedTags: string[] = [];
    // In an exclusive category (lifecycle) the first rule that holds wins; the later ones don't hold.
    const taken = new Set<string>();
    for (const rule of profile.candidates) {
      let holds = evaluateSegment(rule.expr, facts, now);
      if (rules.isExclusive(rule.category)) {
        holds &&= !taken.has(rule.category);
        if (holds) taken.add(rule.category);
      }
      if (profile.settled.has(rule.tag)) continue;
      const source = held.get(rule.tag);
      const base = {
        profileId: profile.profileId,
        source: ruleSource(rule.tag),
        at: now,
        key: profile.key,
        held: new Set(held.keys()),
      };
      if (holds && source === undefined) {
        const change: TagChange = { ...base, add: [rule.tag] };
        const planned = this.tags.plan(change, change.held as ReadonlySet<string>);
        changes.push(change);
        held.set(rule.tag, ruleSource(rule.tag));
        for (const tag of planned.removed) held.delete(tag);
        changedTags.push(rule.tag, ...planned.removed);
      } else if (!holds && source === ruleSource(rule.tag)) {
        changes.push({ ...base, remove: [rule.tag] });
        held.delete(rule.tag);
        changedTags.push(rule.tag);
      } else {
        continue;
      }
      profile.settled.add(rule.tag);
    }
    return changedTags;
  }
}
