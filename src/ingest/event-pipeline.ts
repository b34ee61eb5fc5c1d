import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { Identity } from '../profiles/identity';
import { BlockedIdentitiesError, type ProfileResolver } from '../profiles/profile-resolver';
import type { TimelineService } from '../timeline/timeline.service';
import type { InboxPayload, TagEdit } from './inbound-event';
import type { InboxEntry, InboxService } from './inbox.service';

/** What the pipeline knows about one event once it is on a timeline. */
export interface ProcessedEvent {
  eventId: number;
  profileId: number;
  profileCreated: boolean;
  source: string;
  /** The event's unique key: effects keyed by it are idempotent. */
  sourceKey: string;
  type: string;
  channel: string | null;
  occurredAt: Date;
  identities: Identity[];
  properties: Record<string, unknown>;
  attributes: Record<string, AttributeValue | null>;
  tags: TagEdit;
}

/**
 * A step that reacts to an event inside the same transaction as the timeline write (scoring and tagging plug in
 * here), so an event and its effects commit together or not at all.
 */
export type PipelineStage = (event: ProcessedEvent, transaction: Transaction) => Promise<void>;

/**
 * A step that runs once per transaction, after every entry in it went through the stages, with the events it put on
 * timelines: work that is cheaper for many profiles at once (rule tags) and still commits with the events.
 */
export type PipelineGroupStage = (events: readonly ProcessedEvent[], transaction: Transaction) => Promise<void>;

export type ProcessOutcome = 'processed' | 'duplicate';

/** A payload that can never be processed, however often it is retried. */
export class UnprocessableEntryError extends Error {}

/**
 * Runs one inbox entry through identity resolution, the timeline and every registered stage, in one transaction that
 * also marks the entry done.
 */
export class EventPipeline {
  private readonly stages: PipelineStage[] = [];
  private readonly groupStages: PipelineGroupStage[] = [];

  constructor(
    private readonly db: Database,
    private readonly inbox: InboxService,
    private readonly resolver: ProfileResolver,
    private readonly timeline: TimelineService,
  ) {}

  /** Adds a stage; the returned function removes it. */
  use(stage: PipelineStage): () => void {
    return added(this.stages, stage);
  }

  /** Adds a stage that runs once per transaction, after the per-event stages; the returned function removes it. */
  useForGroup(stage: PipelineGroupStage): () => void {
    return added(this.groupStages, stage);
  }

  /** One entry in its own transaction. */
  async process(entry: InboxEntry): Promise<ProcessOutcome> {
    const [outcome] = await this.processBatch([entry]);
    return outcome;
  }

  /**
   * Several entries in one transaction: one commit, one duplicate check and one "done" update for all of them, which
   * is most of what an event costs once the profile is known. All or nothing: when any entry fails, none is
   * committed, and the caller processes them one by one to find the culprit.
   */
  async processBatch(entries: readonly InboxEntry[]): Promise<ProcessOutcome[]> {
    const parsed = entries.map((entry) => ({ entry, payload: parsePayload(entry.payload) }));
    return this.db.transaction(async (transaction) => {
      const seen = await this.timeline.existingKeys(
        entries.map((entry) => entry.sourceKey),
        transaction,
      );
      const outcomes: ProcessOutcome[] = [];
      const processed: ProcessedEvent[] = [];
      for (const { entry, payload } of parsed) {
        if (seen.has(entry.sourceKey)) {
          outcomes.push('duplicate');
          continue;
        }
        processed.push(await this.apply(entry, payload, transaction));
        seen.add(entry.sourceKey);
        outcomes.push('processed');
      }
      if (processed.length > 0) for (const stage of this.groupStages) await stage(processed, transaction);
      await this.inbox.markDone(
        entries.map((entry) => entry.id),
        transaction,
      );
      return outcomes;
    });
  }

  private async apply(entry: InboxEntry, payload: InboxPayload, transaction: Transaction): Promise<ProcessedEvent> {
    const occurredAt = new Date(payload.occurredAt);
    const { profileId, created } = await this.resolver.resolve(payload.identities, transaction, entry.sourceKey).catch((error: unknown) => {
      throw error instanceof BlockedIdentitiesError ? new UnprocessableEntryError(error.message) : error;
    });
    const eventId = await this.timeline.append(
      {
        profileId,
        type: payload.type,
        channel: payload.channel,
        source: entry.source,
        sourceKey: entry.sourceKey,
        occurredAt,
        receivedAt: new Date(),
        properties: payload.properties,
      },
      transaction,
    );
    const processed: ProcessedEvent = {
      eventId,
      profileId,
      profileCreated: created,
      source: entry.source,
      sourceKey: entry.sourceKey,
      type: payload.type,
      channel: payload.channel,
      occurredAt,
      identities: payload.identities,
      properties: payload.properties,
      attributes: payload.attributes ?? {},
      tags: payload.tags ?? {},
    };
    for (const stage of this.stages) await stage(processed, transaction);
    return processed;
  }
}

function parsePayload(text: string): InboxPayload {
  try {
    const payload = JSON.parse(text) as InboxPayload;
    if (!payload.type || !Array.isArray(payload.identities) || payload.identities.length === 0) {
      throw new Error('missing type or identities');
    }
    return payload;
  } catch (error) {
    throw new UnprocessableEntryError(`unreadable inbox payload: ${(error as Error).message}`);
  }
}

/** Adds `item` to `list`; the returned function takes it out again. */
function added<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const index = list.indexOf(item);
    if (index >= 0) list.splice(index, 1);
  };
}
