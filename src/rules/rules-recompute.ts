import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics';
import type { RulesProvider } from './rules-provider';
import type { ScoreRefresh } from './score-refresh';
import type { TagRuleSweep } from './tag-rule-sweep';

export interface RecomputeOptions {
  /** Profiles whose scores are faded per transaction. */
  batchSize: number;
  /** Profiles brought up to date at once (connections in use). */
  concurrency: number;
}

export interface RecomputeOutcome {
  profilesFaded: number;
  crossings: number;
  tagCandidates: number;
  tagsUpdated: number;
}

/**
 * What time changes: every score faded to `now` (with the crossings that causes), then every rule tag that
 * disagrees with its expression at `now` brought up to date. Both steps are idempotent for a given `now`.
 */
export class RulesRecompute {
  constructor(
    private readonly rules: RulesProvider,
    private readonly refresh: ScoreRefresh,
    private readonly sweep: TagRuleSweep,
    private readonly options: RecomputeOptions,
    private readonly metrics: Metrics,
  ) {}

  async run(now: Date, log: Logger, signal?: AbortSignal): Promise<RecomputeOutcome> {
    await this.rules.follow();
    const rules = this.rules.current;
    const key = `recompute:${now.toISOString()}`;
    let reported = 0;
    const refreshed = await this.refresh.run(rules, now, key, {
      batchSize: this.options.batchSize,
      signal,
      onBatch: (progress) => {
        this.metrics.rulesRecompute.inc({ step: 'scores_faded' }, progress.profiles - reported);
        reported = progress.profiles;
        log.info(progress, 'rules recompute: scores faded so far');
      },
    });
    const swept = await this.sweep.run(rules, now, key, {
      concurrency: this.options.concurrency,
      batchSize: this.options.batchSize,
      signal,
      onBatch: (done, of) => log.info({ done, of }, 'rules recompute: profiles brought up to date so far'),
      onRule: (tag, candidates) =>
        log.info({ tag, candidates }, 'rules recompute: profiles whose rule tag is out of date'),
    });
    this.metrics.rulesRecompute.inc({ step: 'tags_updated' }, swept.updated);
    const outcome = {
      profilesFaded: refreshed.profiles,
      crossings: refreshed.crossings,
      tagCandidates: swept.candidates,
      tagsUpdated: swept.updated,
    };
    log.info(
      outcome,
      signal?.aborted ? 'rules recompute interrupted; the next run picks up what is left' : 'rules recompute done',
    );
    return outcome;
  }
}
