import type { JobDefinition } from '../jobs/job.types';
import type { RulesRecompute } from './rules-recompute';

/** Keeps time-based rules true: scores faded, lifecycle stages moved on, windows closed (schedule from config). */
export function rulesRecomputeJob(recompute: RulesRecompute, schedule: string): JobDefinition {
  return {
    name: 'rules-recompute',
    schedule,
    async run({ tick, log, signal }) {
      await recompute.run(tick, log, signal);
    },
  };
}
