import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { Metrics } from '../metrics/metrics';
import { ProfileFactsRepository } from '../segments/profile-facts.repository';
import type { TimelineService } from '../timeline/timeline.service';
import { KeywordInterests } from './keyword-interests';
import { LedgerRewrite } from './ledger-rewrite';
import { OperatorTags } from './operator-tags';
import { ProfileExplainer } from './profile-explainer';
import type { RulesDocument } from './rules-document.schema';
import { RulesBackfill } from './rules-backfill';
import { RulesPreview } from './rules-preview';
import { rulesPersonData } from './rules-person-data';
import { RulesRecompute } from './rules-recompute';
import { rulesRecomputeJob } from './rules-recompute.job';
import { RulesProvider } from './rules-provider';
import { rulesStages } from './rules.stage';
import { ScoreRefresh } from './score-refresh';
import { ScoreThresholds } from './score-thresholds';
import { ScoringService } from './scoring.service';
import { tagExpiryJob } from './tag-expiry.job';
import { TagRuleSweep } from './tag-rule-sweep';
import { TagRuleService } from './tag-rule.service';
import { TagService } from './tag.service';
import { tagStage } from './tag.stage';
import { RuleVersionsRepository } from './rule-versions.repository';
import type { Clock } from '../util/clock';

export const rulesRoom: RoomDefinition = {
  room: 'rules',
  tables: ['rule_versions', 'score_ledger', 'scores', 'tags'],
  surface: ['rules-provider', 'tag.service', 'tag-lookups'],
};

export interface RulesModuleDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** Reads the rules document from the config files again (hot reload). */
  readRules: () => RulesDocument;
  /** Config files to watch for rule changes. */
  watchFiles?: readonly string[];
}

/** Profiles a rules preview reads at once (about 2,500 events' rows at ten interactions each). */
const previewBatchSize = 250;
/** Profiles per write transaction on SQLite: its write lock is held for a few dozen milliseconds at a time. */
const sqliteBatchSize = 20;

/**
 * The rules room: the rules in force, tags, scoring, rule tags, the recompute, what-if and apply, operators' tags and
 * explanations. It scores and tags every event in the pipeline, keeps scores right across merges, and runs the rule
 * jobs.
 */
export class RulesModule implements RoomModule {
  readonly definition = rulesRoom;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;
  readonly provider: RulesProvider;
  readonly tags: TagService;
  readonly scoring: ScoringService;
  readonly tagRules: TagRuleService;
  readonly recompute: RulesRecompute;
  readonly backfill: RulesBackfill;
  readonly preview: RulesPreview;
  readonly explainer: ProfileExplainer;
  readonly operatorTags: OperatorTags;

  constructor(deps: RulesModuleDeps) {
    const { config, db, timeline, clock } = deps;
    this.provider = new RulesProvider(config.rules, deps.readRules, deps.log, clock);
    this.tags = new TagService(db, timeline, () => this.provider.current, clock);
    this.scoring = new ScoringService(db, config.timezone);
    const thresholds = new ScoreThresholds(timeline);
    const facts = new ProfileFactsRepository(db);
    this.tagRules = new TagRuleService(facts, this.tags);
    const sweep = new TagRuleSweep(db, this.tagRules);
    // SQLite has one writer: batches there go one at a time, and small, since a webhook's inbox row waits for the
    // write lock a batch's transaction holds.
    const batches = db.isMysql
      ? { batchSize: config.jobs.rulesRecompute.batchSize, concurrency: config.jobs.rulesRecompute.concurrency }
      : { batchSize: Math.min(config.jobs.rulesRecompute.batchSize, sqliteBatchSize), concurrency: 1 };
    this.recompute = new RulesRecompute(this.provider, new ScoreRefresh(db, thresholds), sweep, batches, deps.metrics);
    const rewrite = new LedgerRewrite(db, thresholds, { timezone: config.timezone, batchSize: batches.batchSize });
    this.backfill = new RulesBackfill(this.provider, rewrite, sweep, { ...batches, ceiling: config.rulesCeiling });
    // A preview reads its profiles in small batches: the driver turns a result into rows on the main thread, in one go.
    this.preview = new RulesPreview(db, this.provider, facts, sweep, {
      timezone: config.timezone,
      batchSize: Math.min(batches.batchSize, previewBatchSize),
      ceiling: config.rulesCeiling,
    });
    this.explainer = new ProfileExplainer(db, facts, this.tags);
    this.operatorTags = new OperatorTags(db, this.tags, this.provider, clock);
    const stages = rulesStages({
      db,
      provider: this.provider,
      scoring: this.scoring,
      thresholds,
      keywordInterests: new KeywordInterests(this.tags),
      tagRules: this.tagRules,
      clock,
    });
    this.contributes = {
      stages: [
        { phase: 'event-tags', stage: tagStage(this.tags) },
        { phase: 'rules', stage: stages.perRun },
      ],
      groupStages: [stages.perGroup],
      // A merge or an unmerge moves ledger rows between profiles: their scores are summed again from their ledgers.
      timelineListeners: [
        async (event, transaction) => {
          if (event.type !== 'profile_merged' && event.type !== 'profile_unmerged') return;
          await this.scoring.rescore(event.profileId, this.provider.current, clock(), transaction);
        },
      ],
      jobs: [rulesRecomputeJob(this.recompute, config.jobs.rulesRecompute.schedule), tagExpiryJob(this.operatorTags)],
      personData: rulesPersonData(db),
    };
    this.lifecycle = {
      start: () => this.provider.start(new RuleVersionsRepository(db), deps.watchFiles),
      stop: async () => this.provider.stop(),
    };
  }
}
