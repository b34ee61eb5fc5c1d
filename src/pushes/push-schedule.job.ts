import type { JobDefinition } from '../jobs/job.types';
import type { PushService } from './push.service';

/** Every minute: the runs of recurring pushes whose schedule matches the minute (once across the cluster). */
export function pushScheduleJob(pushes: PushService, timezone: string, wake: () => void): JobDefinition {
  return {
    name: 'push-schedule',
    schedule: '* * * * *',
    async run({ tick, log }) {
      const runs = await pushes.runSchedules(tick, timezone);
      if (runs.length > 0) {
        log.info({ runs }, 'recurring pushes started');
        wake();
      }
    },
  };
}
