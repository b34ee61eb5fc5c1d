import type { JobDefinition } from '../jobs/job.types';
import type { InboxService } from './inbox.service';

/** Hourly: deletes inbox rows processed longer ago than the retention. Failed rows are kept for inspection. */
export function inboxPurgeJob(inbox: InboxService, retentionHours: number): JobDefinition {
  return {
    name: 'inbox-purge',
    schedule: '17 * * * *',
    async run({ tick, log }) {
      const purged = await inbox.purge(new Date(tick.getTime() - retentionHours * 3_600_000));
      log.info({ purged }, 'processed inbox rows purged');
    },
  };
}
