import type { PipelineStage } from '../ingest/event-pipeline';
import type { TagService } from './tag.service';

/** Applies the tags an event gives or takes away, with the event's channel (else its source) as their source. */
export function tagStage(tags: TagService): PipelineStage {
  return async (event, transaction) => {
    if (!event.tags.add?.length && !event.tags.remove?.length) return;
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
  };
}
