import type { PipelineStage } from '../ingest/event-pipeline';
import type { KeywordInterests } from './keyword-interests';
import type { RulesProvider } from './rules.provider';
import type { ScoreThresholds } from './score-thresholds';
import type { ScoringService } from './scoring.service';
import type { TagRuleService } from './tag-rule.service';

/**
 * Scores the arriving event, records the thresholds its points cross, reads interests from a message's words, and brings the profile's rule tags in line,
 * inside the event's own transaction: the event and everything it causes commit together or not at all.
 */
export function rulesStage(
  provider: RulesProvider,
  scoring: ScoringService,
  thresholds: ScoreThresholds,
  keywordInterests: KeywordInterests,
  tagRules: TagRuleService,
  clock: () => Date,
): PipelineStage {
  return async (event, transaction) => {
    const rules = provider.current;
    const now = clock();
    // The pipeline runs stages only for events it just put on the timeline.
    const change = await scoring.score(event, rules, now, transaction, { newEvent: true });
    if (change) await thresholds.record(event.profileId, change, rules, now, event.sourceKey, transaction);
    const interests = await keywordInterests.apply(event, rules, now, transaction);
    await tagRules.apply(event.profileId, rules, now, event.sourceKey, transaction, {
      eventTypes: new Set([event.type]),
      scores: change !== null,
      attributes: Object.keys(event.attributes).length > 0,
      tags: Boolean(event.tags.add?.length || event.tags.remove?.length || interests.length),
      subscriptions: event.type === 'subscribe' || event.type === 'unsubscribe',
    });
  };
}
