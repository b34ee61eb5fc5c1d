import type { PipelineStage } from '../ingest/event-pipeline';
import type { TagService } from './tag.service';

/** Applies the tags events give or take away, with each event's channel (else its source) as their source. */
export function tagStage(tags: TagService): PipelineStage {
  return async (events, transaction) => {
    for (const event of events) {
      if (!event.tags.add?.length && !event.tags.remove?.length) continue;
      await tags.apply(
        {
          profileId: event.profileId,
          add: event.tags.add,
          remove: event.tags.remove,
          source: event.channel ?? event.source,
          at: event.occurredAt,
          key: event.sourceKey,
        },
        transaction,
      );
    }
  };
}
