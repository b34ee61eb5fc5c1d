import type { PropertyFilter, SegmentExpr } from '../segments/segment-ast';
import { factNeeds, type FactNeeds } from '../segments/segment-dependencies';
import { parsePropertyFilters, parseSegment } from '../segments/segment-parser';
import { TagLabels } from '../segments/tag-labels';
import { expandTagRule, type RulesDocument, type ScoringRule } from './rules-document.schema';
import { tagCategory, type TagTaxonomy } from './tag.service';

/** A scoring rule ready to match events: its `where` read once. */
export interface CompiledScoringRule extends ScoringRule {
  filters: PropertyFilter[];
}

/** What an event changed about its profile, for choosing the tag rules worth evaluating again. */
export interface FactChanges {
  eventTypes: ReadonlySet<string>;
  scores: boolean;
  attributes: boolean;
  tags: boolean;
  subscriptions: boolean;
}

/** A rule tag ready to evaluate: its expression read once. */
export interface CompiledTagRule {
  tag: string;
  expr: SegmentExpr;
  /** What the expression reads. */
  needs: FactNeeds;
  /** The expression as written, for explanations. */
  when: string;
  category: string;
}

/**
 * The rules in force, read from a validated rules document: what scoring and tagging consult for every event.
 * Immutable; a reload builds a new one.
 */
export class RuleSet implements TagTaxonomy {
  readonly scoring: readonly CompiledScoringRule[];
  readonly tagRules: readonly CompiledTagRule[];
  /** Half-life in days per score group (0: no fading). */
  readonly halfLives: ReadonlyMap<string, number>;
  /** What operators call tags. */
  readonly labels: TagLabels;
  private readonly byEventType = new Map<string, CompiledScoringRule[]>();

  constructor(readonly document: RulesDocument) {
    this.scoring = document.scoring.map((rule) => ({
      ...rule,
      filters: rule.where ? parsePropertyFilters(rule.where) : [],
    }));
    for (const rule of this.scoring) this.byEventType.set(rule.on, [...(this.byEventType.get(rule.on) ?? []), rule]);
    this.tagRules = document.tags.rules.flatMap(expandTagRule).map((rule) => ({
      tag: rule.tag,
      expr: parseSegment(rule.when),
      needs: factNeeds(parseSegment(rule.when)),
      when: rule.when,
      category: rule.category ?? tagCategory(rule.tag),
    }));
    this.halfLives = new Map(
      Object.entries(document.scoreGroups).map(([group, { halfLifeDays }]) => [group, halfLifeDays]),
    );
    this.labels = new TagLabels(document.tags.labels, document.tags.categories);
  }

  /** When the tag of the rule at `index` should hold: its expression, and in an exclusive category no earlier rule's. */
  effectiveExpr(index: number): SegmentExpr {
    const rule = this.tagRules[index];
    if (!this.isExclusive(rule.category)) return rule.expr;
    const earlier = this.tagRules.slice(0, index).filter((other) => other.category === rule.category);
    if (earlier.length === 0) return rule.expr;
    return {
      kind: 'and',
      items: [rule.expr, { kind: 'not', item: { kind: 'or', items: earlier.map((other) => other.expr) } }],
    };
  }

  /**
   * The tag rules whose outcome `changes` can move (all of them without `changes`), in their order; a rule of an
   * exclusive category brings the whole category, whose precedence needs every rule in it. Recency and first touch
   * move with any event, and identities may, so rules reading them are always among them.
   */
  tagRulesAffectedBy(changes?: FactChanges): CompiledTagRule[] {
    if (!changes) return [...this.tagRules];
    const affected = (rule: CompiledTagRule) =>
      rule.needs.profile ||
      rule.needs.identities ||
      [...rule.needs.eventTypes].some((type) => changes.eventTypes.has(type)) ||
      (rule.needs.anyEvent && changes.eventTypes.size > 0) ||
      (rule.needs.scores && changes.scores) ||
      (rule.needs.attributes && changes.attributes) ||
      (rule.needs.subscriptions && changes.subscriptions) ||
      (rule.needs.tags && changes.tags);
    return this.withCategories(affected);
  }

  /** The tag rules that read one of `tags` (so its change can move them), with their exclusive categories. */
  tagRulesReading(tags: readonly string[]): CompiledTagRule[] {
    return this.withCategories((rule) => tags.some((tag) => rule.needs.tagNames.has(tag)));
  }

  /** The rules `selected` picks, plus every rule of an exclusive category one of them is in, in their order. */
  private withCategories(selected: (rule: CompiledTagRule) => boolean): CompiledTagRule[] {
    const categories = new Set(
      this.tagRules.filter((rule) => selected(rule) && this.isExclusive(rule.category)).map((rule) => rule.category),
    );
    return this.tagRules.filter((rule) => selected(rule) || categories.has(rule.category));
  }

  /** The scoring rules for an event type. */
  scoringRulesFor(type: string): readonly CompiledScoringRule[] {
    return this.byEventType.get(type) ?? [];
  }

  isExclusive(category: string): boolean {
    return Object.hasOwn(this.document.tags.categories, category) && this.document.tags.categories[category].exclusive;
  }

  halfLifeOf(group: string): number {
    return this.halfLives.get(group) ?? 0;
  }

  /** A tag's category: the one its rule names, else the part before its slash, else manual. */
  categoryOf(tag: string): string {
    return this.tagRules.find((rule) => rule.tag === tag)?.category ?? tagCategory(tag);
  }
}
