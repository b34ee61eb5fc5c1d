import type { JobLeaseService } from './job-lease.service';
import type { JobDefinition } from './job.types';

/** Daily: forgets job runs older than the retention. */
export function jobHistoryPurgeJob(leases: JobLeaseService, retentionDays: number): JobDefinition {
  return {
    name: 'job-history-purge',
    schedule: '43 3 * * *',
    async run({ tick, log }) {
      const purged = await leases.purgeHistory(new Date(tick.getTime() - retentionDays * 86_400_000));
      log.info({ purged }, 'job history purged');
    },
  };
}
