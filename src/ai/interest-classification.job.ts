import type { JobDefinition } from '../jobs/job.types';
import type { InterestClassification } from './interest-classification';

/** Every 10 minutes: follower messages not classified yet, up to the day's cap (when `ai.classification` is on). */
export function interestClassificationJob(classification: InterestClassification): JobDefinition {
  return {
    name: 'ai-interest-classification',
    schedule: '*/10 * * * *',
    async run({ log, signal }) {
      await classification.run(log, signal);
    },
  };
}
