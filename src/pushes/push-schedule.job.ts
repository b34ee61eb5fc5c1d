import type { JobDefinition } from '../jobs/job.types';
import type { RecurringPushes } from './recurring-pushes';

/** Every minute: the runs of recurring pushes whose schedule matches the minute (once across the cluster). */
export function pushScheduleJob(recurring: RecurringPushes, wake: () => void): JobDefinition {
  return {
    name: 'push-schedule',
    schedule: '* * * * *',
    async run({ tick, log }) {
      const runs = await recurring.runDue(tick);
      if (runs.length > 0) {
        log.info({ runs }, 'recurring pushes started');
        wake();
      }
    },
  };
}
