import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { EventPipeline } from '../ingest/event-pipeline';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { Metrics } from '../metrics/metrics';
import { ProfileFactsLoader } from '../segments/profile-facts.loader';
import type { TimelineService } from '../timeline/timeline.service';
import { KeywordInterests } from './keyword-interests';
import { LedgerRewrite } from './ledger-rewrite';
import { OperatorTags } from './operator-tags';
import { ProfileExplainer } from './profile-explainer';
import type { RulesDocument } from './rules-document.schema';
import { RulesBackfill } from './rules-backfill';
import { RulesPreview } from './rules-preview';
import { RulesRecompute } from './rules-recompute';
import { rulesRecomputeJob } from './rules-recompute.job';
import { RulesProvider } from './rules.provider';
import { rulesStages } from './rules.stage';
import { ScoreRefresh } from './score-refresh';
import { ScoreThresholds } from './score-thresholds';
import { ScoringService } from './scoring.service';
import { tagExpiryJob } from './tag-expiry.job';
import { TagRuleSweep } from './tag-rule-sweep';
import { TagRuleService } from './tag-rule.service';
import { TagService } from './tag.service';
import type { Clock } from '../util/clock';

export interface RuleEngineDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** Reads the rules document from the config files again (hot reload). */
  readRules: () => RulesDocument;
}

/**
 * The rules room put together: the rules in force, tags, scoring, rule tags, the recompute, what-if and apply,
 * operators' tags and explanations. `attach` plugs it into the pipeline, the timeline and the scheduler.
 */
/** Profiles a rules preview reads at once (about 2,500 events' rows at ten interactions each). */
const previewBatchSize = 250;
/** Profiles per write transaction on SQLite: its write lock is held for a few dozen milliseconds at a time. */
const sqliteBatchSize = 20;

export class RuleEngine {
  readonly provider: RulesProvider;
  readonly tags: TagService;
  readonly scoring: ScoringService;
  readonly tagRules: TagRuleService;
  readonly recompute: RulesRecompute;
  readonly backfill: RulesBackfill;
  readonly preview: RulesPreview;
  readonly explainer: ProfileExplainer;
  readonly operatorTags: OperatorTags;
  private readonly thresholds: ScoreThresholds;

  constructor(private readonly deps: RuleEngineDeps) {
    const { config, db, timeline, clock } = deps;
    this.provider = new RulesProvider(config.rules, deps.readRules, deps.log, clock);
    this.tags = new TagService(db, timeline, () => this.provider.current, clock);
    this.scoring = new ScoringService(db, config.timezone);
    this.thresholds = new ScoreThresholds(timeline);
    const facts = new ProfileFactsLoader(db);
    this.tagRules = new TagRuleService(facts, this.tags);
    const sweep = new TagRuleSweep(db, this.tagRules);
    // SQLite has one writer: batches there go one at a time, and small, since a webhook's inbox row waits for the
    // write lock a batch's transaction holds.
    const batches = db.isMysql
      ? { batchSize: config.jobs.rulesRecompute.batchSize, concurrency: config.jobs.rulesRecompute.concurrency }
      : { batchSize: Math.min(config.jobs.rulesRecompute.batchSize, sqliteBatchSize), concurrency: 1 };
    this.recompute = new RulesRecompute(
      this.provider,
      new ScoreRefresh(db, this.thresholds),
      sweep,
      batches,
      deps.metrics,
    );
    const rewrite = new LedgerRewrite(db, this.thresholds, { timezone: config.timezone, batchSize: batches.batchSize });
    this.backfill = new RulesBackfill(this.provider, rewrite, sweep, { ...batches, ceiling: config.rulesCeiling });
    // A preview reads its profiles in small batches: the driver turns a result into rows on the main thread, in one go.
    this.preview = new RulesPreview(db, this.provider, facts, sweep, {
      timezone: config.timezone,
      batchSize: Math.min(batches.batchSize, previewBatchSize),
      ceiling: config.rulesCeiling,
    });
    this.explainer = new ProfileExplainer(db, facts, this.tags);
    this.operatorTags = new OperatorTags(db, this.tags, this.provider, clock);
  }

  /** Scores and tags every event in the pipeline, keeps scores right across merges, and schedules the rule jobs. */
  attach(pipeline: EventPipeline, jobs: JobScheduler): void {
    const { db, timeline, clock, config } = this.deps;
    const stages = rulesStages({
      db,
      provider: this.provider,
      scoring: this.scoring,
      thresholds: this.thresholds,
      keywordInterests: new KeywordInterests(this.tags),
      tagRules: this.tagRules,
      clock,
    });
    pipeline.use(stages.perRun);
    pipeline.useForGroup(stages.perGroup);
    // A merge or an unmerge moves ledger rows between profiles: their scores are summed again from their ledgers.
    timeline.onAppend(async (event, transaction) => {
      if (event.type !== 'profile_merged' && event.type !== 'profile_unmerged') return;
      await this.scoring.rescore(event.profileId, this.provider.current, clock(), transaction);
    });
    jobs.register(rulesRecomputeJob(this.recompute, config.jobs.rulesRecompute.schedule));
    jobs.register(tagExpiryJob(this.operatorTags));
  }
}
