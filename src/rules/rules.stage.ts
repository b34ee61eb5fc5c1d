import type { Database } from '../db/database';
import { liveProfilesAmong } from '../profiles/live-profile';
import type { PipelineGroupStage, PipelineStage, ProcessedEvent } from '../ingest/event-pipeline';
import type { KeywordInterests } from './keyword-interests';
import type { FactChanges, RuleSet } from './rule-set';
import type { RulesProvider } from './rules-provider';
import type { ScoreThresholds } from './score-thresholds';
import type { ScoringService } from './scoring.service';
import type { TagRuleService } from './tag-rule.service';
import type { Clock } from '../util/clock';

/** What an event did to its profile, for the transaction's rule-tag pass. */
interface EventEffects {
  rules: RuleSet;
  now: Date;
  changes: FactChanges;
}

/**
 * The rules in the pipeline, in the events' own transaction: the events are scored together, in order (with the
 * thresholds each one's points cross), and read for keyword interests; once every event of the transaction is in,
 * each profile's rule tags are brought in line, evaluating only the rules its events can move, with the facts of all
 * those profiles read together. An event and everything it causes commit together or not at all.
 */
export function rulesStages(deps: {
  db: Database;
  provider: RulesProvider;
  scoring: ScoringService;
  thresholds: ScoreThresholds;
  keywordInterests: KeywordInterests;
  tagRules: TagRuleService;
  clock: Clock;
}): { perRun: PipelineStage; perGroup: PipelineGroupStage } {
  const effects = new WeakMap<ProcessedEvent, EventEffects>();

  const perRun: PipelineStage = async (events, transaction) => {
    const rules = deps.provider.current;
    const now = deps.clock();
    const changes = await deps.scoring.score(events, rules, now, transaction);
    for (const [index, event] of events.entries()) {
      const change = changes[index];
      if (change) await deps.thresholds.record(event.profileId, change, rules, now, event.sourceKey, transaction);
      const interests = await deps.keywordInterests.apply(event, rules, now, transaction);
      effects.set(event, {
        rules,
        now,
        changes: {
          eventTypes: new Set([event.type]),
          scores: change !== null,
          attributes: Object.keys(event.attributes).length > 0,
          tags: Boolean(event.tags.add?.length || event.tags.remove?.length || interests.length),
          subscriptions: event.type === 'subscribe' || event.type === 'unsubscribe',
        },
      });
    }
  };

  const perGroup: PipelineGroupStage = async (events, transaction) => {
    const byProfile = new Map<number, { key: string; changes: FactChanges; rules: RuleSet; now: Date }>();
    for (const event of events) {
      const effect = effects.get(event);
      if (!effect) continue;
      const held = byProfile.get(event.profileId);
      byProfile.set(event.profileId, {
        key: event.sourceKey,
        rules: effect.rules,
        now: effect.now,
        changes: held ? merged(held.changes, effect.changes) : effect.changes,
      });
    }
    if (byProfile.size === 0) return;
    // A profile merged into another by a later event of the group is nobody now: its survivor is evaluated instead.
    const live = await liveProfilesAmong(deps.db, [...byProfile.keys()], transaction);
    const last = [...byProfile.values()].pop() as { rules: RuleSet; now: Date };
    await deps.tagRules.applyMany(
      live,
      last.rules,
      last.now,
      (id) => byProfile.get(id)?.key ?? '',
      transaction,
      (id) => byProfile.get(id)?.changes,
    );
  };

  return { perRun, perGroup };
}

function merged(a: FactChanges, b: FactChanges): FactChanges {
  return {
    eventTypes: new Set([...a.eventTypes, ...b.eventTypes]),
    scores: a.scores || b.scores,
    attributes: a.attributes || b.attributes,
    tags: a.tags || b.tags,
    subscriptions: a.subscriptions || b.subscriptions,
  };
}
