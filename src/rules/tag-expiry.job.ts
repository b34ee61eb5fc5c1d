import type { JobDefinition } from '../jobs/job.types';
import type { OperatorTags } from './operator-tags';

/** Every five minutes: operators' tags whose time is up are taken away (a tag_removed each, source expiry). */
export function tagExpiryJob(operatorTags: OperatorTags): JobDefinition {
  return {
    name: 'tag-expiry',
    schedule: '*/5 * * * *',
    async run({ log, signal }) {
      let expired = 0;
      for (let batch = await operatorTags.expire(); batch > 0 && !signal.aborted; batch = await operatorTags.expire())
        expired += batch;
      if (expired > 0) log.info({ expired }, 'expired tags taken away');
    },
  };
}
