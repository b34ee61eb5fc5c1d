import type { JobDefinition } from '../jobs/job.types';
import type { SegmentService } from './segment.service';

/** Nightly: each saved segment's count for the day that just ended, in the account's time zone (trend lines). */
export function segmentCountsJob(segments: SegmentService, timezone: string): JobDefinition {
  return {
    name: 'segment-counts',
    schedule: '5 0 * * *',
    async run({ tick, log }) {
      // The run at 00:05 records the day that just ended.
      const day = new Intl.DateTimeFormat('en-CA', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(new Date(tick.getTime() - 60 * 60 * 1000));
      const counted = await segments.snapshotCounts(day);
      log.info({ counted, day }, 'segment counts recorded');
    },
  };
}
