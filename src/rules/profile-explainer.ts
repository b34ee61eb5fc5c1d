import type { Database } from '../db/database';
import { liveProfileId } from '../profiles/live-profile';
import type { ProfileFactsRepository } from '../segments/profile-facts.repository';
import { evaluateSegment } from '../segments/segment-evaluator';
import { explainSegment, type TermExplanation } from '../segments/segment-explainer';
import type { RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import type { TagService } from './tag.service';

export interface RulePoints {
  rule: string;
  /** Whether the rule is still in the rules in force (its past points count either way). */
  inForce: boolean;
  events: number;
  /** Points as given. */
  points: number;
  /** What they count for now, faded by age. */
  faded: number;
}

export interface ProfileExplanation {
  profileId: number;
  at: string;
  score: { total: number; groups: { group: string; halfLifeDays: number; points: number; rules: RulePoints[] }[] };
  tags: {
    name: string;
    category: string;
    source: string;
    addedAt: string;
    /** For a rule's tag: its expression, whether it holds now, and the fact behind each condition. */
    rule?: { when: string; holds: boolean; terms: TermExplanation[] };
  }[];
}

/** Rounds for reading; sums are taken before rounding. */
const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * Why a profile has its score and tags: the score per group and rule from the ledger, faded to now, so every point
 * is accounted for; each tag with who set it and when, and for a rule's tag the facts that make its expression true.
 */
export class ProfileExplainer {
  constructor(
    private readonly db: Database,
    private readonly facts: ProfileFactsRepository,
    private readonly tags: TagService,
  ) {}

  async explain(requestedId: number, rules: RuleSet, now: Date): Promise<ProfileExplanation> {
    const profileId = await liveProfileId(this.db, requestedId);
    const ledger = await this.db.select<{ rule_id: string; score_group: string; points: number; occurred_at: unknown }>(
      'SELECT rule_id, score_group, points, occurred_at FROM score_ledger WHERE profile_id = ? ORDER BY occurred_at, event_id',
      [profileId],
    );
    const groups = new Map<string, Map<string, RulePoints>>();
    for (const row of ledger) {
      const byRule = groups.get(row.score_group) ?? new Map<string, RulePoints>();
      groups.set(row.score_group, byRule);
      const entry = byRule.get(row.rule_id) ?? {
        rule: row.rule_id,
        inForce: rules.scoring.some((rule) => rule.id === row.rule_id),
        events: 0,
        points: 0,
        faded: 0,
      };
      byRule.set(row.rule_id, entry);
      entry.events += 1;
      entry.points += Number(row.points);
      entry.faded +=
        Number(row.points) *
        decayFactor(this.db.parseTime(row.occurred_at) ?? now, now, rules.halfLifeOf(row.score_group));
    }
    let total = 0;
    const groupViews = [...groups].map(([group, byRule]) => {
      const ruleViews = [...byRule.values()].sort((a, b) => b.faded - a.faded);
      const points = ruleViews.reduce((sum, entry) => sum + entry.faded, 0);
      total += points;
      return {
        group,
        halfLifeDays: rules.halfLifeOf(group),
        points: round(points),
        rules: ruleViews.map((entry) => ({ ...entry, faded: round(entry.faded) })),
      };
    });

    const facts = await this.facts.load(
      profileId,
      rules.tagRules.map((rule) => rule.expr),
      now,
    );
    const tags = (await this.tags.list(profileId)).map((tag) => {
      const rule = rules.tagRules.find((candidate) => candidate.tag === tag.name);
      if (!rule || tag.source !== `rule:${rule.tag}`) return tag;
      return {
        ...tag,
        rule: {
          when: rule.when,
          holds: evaluateSegment(rule.expr, facts, now),
          terms: explainSegment(rule.expr, facts, now),
        },
      };
    });
    return {
      profileId,
      at: now.toISOString(),
      score: { total: round(total), groups: groupViews },
      tags,
    };
  }
}
