import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { Identity } from '../profiles/identity';
import { type ProfileResolver } from '../profiles/profile-resolver';
import { BlockedIdentitiesError } from '../profiles/profiles.errors';
import type { TimelineService } from '../timeline/timeline.service';
import type { InboxPayload, TagEdit } from './inbound-event';
import type { InboxEntry, InboxService } from './inbox.service';
import type { Clock } from '../util/clock';
import { UnprocessableEntryError } from './ingest.errors';

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
  /** Who states the attributes (see InboundEvent); unset: the channel. */
  attributeSource?: string;
  tags: TagEdit;
}

/**
 * A step that reacts to events inside the same transaction as their timeline write (profile state, scoring and
 * tagging plug in here), so an event and its effects commit together or not at all. It gets the events appended
 * together, in inbox order, and handles them in that order; one transaction usually calls it once, more often when
 * a merge splits the transaction's events (see `processBatch`).
 */
export type PipelineStage = (events: readonly ProcessedEvent[], transaction: Transaction) => Promise<void>;

/**
 * A step that runs once per transaction, after every entry in it went through the stages, with the events it put on
 * timelines: work that is cheaper for many profiles at once (rule tags) and still commits with the events.
 */
export type PipelineGroupStage = (events: readonly ProcessedEvent[], transaction: Transaction) => Promise<void>;

/** `deferred`: left for later because another transaction holds its profile (see `processBatch`). */
export type ProcessOutcome = 'processed' | 'duplicate' | 'deferred';

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
    private readonly clock: Clock,
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
   * Several entries in one transaction: one commit, one duplicate check, one identity lookup, one profile lock and
   * one "done" update for all of them, and each stage sees them all at once. All or nothing: when any entry fails,
   * none is committed, and the caller processes them one by one to find the culprit.
   *
   * Entries are resolved in order. An entry whose identities merge two profiles moves those profiles' rows, so the
   * events before it are put on their timelines, and through the stages, first.
   *
   * A busy follower's events would make every worker queue behind the one transaction holding the profile. So a group
   * doesn't wait for profiles another transaction holds: their entries are `deferred`, handed back to the inbox in
   * this transaction for a later claim, and the rest go ahead (events may arrive in any order). Only when every
   * entry waits on a busy profile does the group wait for them.
   */
  async processBatch(entries: readonly InboxEntry[]): Promise<ProcessOutcome[]> {
    const parsed = entries.map((entry) => ({ entry, payload: parsePayload(entry.payload) }));
    return this.db.transaction(async (transaction) => {
      const seen = await this.timeline.existingKeys(
        entries.map((entry) => entry.sourceKey),
        transaction,
      );
      const fresh = parsed.filter(({ entry }) => !seen.has(entry.sourceKey));
      const known = await this.resolver.prepare(
        fresh.flatMap(({ payload }) => payload.identities),
        transaction,
        { skipBusy: fresh.length > 1 },
      );
      if (fresh.every(({ payload }) => this.resolver.touchesBusy(payload.identities, known)))
        await this.resolver.waitForBusy(known, transaction);
      const outcomes: ProcessOutcome[] = [];
      const processed: ProcessedEvent[] = [];
      const deferred: number[] = [];
      let resolved: ResolvedEntry[] = [];
      for (const { entry, payload } of parsed) {
        if (seen.has(entry.sourceKey)) {
          outcomes.push('duplicate');
          continue;
        }
        if (this.resolver.touchesBusy(payload.identities, known)) {
          outcomes.push('deferred');
          deferred.push(entry.id);
          continue;
        }
        seen.add(entry.sourceKey);
        outcomes.push('processed');
        if (this.resolver.wouldMerge(payload.identities, known)) {
          processed.push(...(await this.append(resolved, transaction)));
          resolved = [];
        }
        const resolution = await this.resolver
          .resolve(payload.identities, transaction, entry.sourceKey, known)
          .catch((error: unknown) => {
            throw error instanceof BlockedIdentitiesError ? new UnprocessableEntryError(error.message) : error;
          });
        resolved.push({ entry, payload, ...resolution });
      }
      processed.push(...(await this.append(resolved, transaction)));
      if (processed.length > 0) for (const stage of this.groupStages) await stage(processed, transaction);
      await this.inbox.markDone(
        entries.filter((_, index) => outcomes[index] !== 'deferred').map((entry) => entry.id),
        transaction,
      );
      await this.inbox.release(deferred, transaction);
      return outcomes;
    });
  }

  /** Puts resolved entries on their timelines together, then runs the stages over them. */
  private async append(resolved: readonly ResolvedEntry[], transaction: Transaction): Promise<ProcessedEvent[]> {
    if (resolved.length === 0) return [];
    const receivedAt = this.clock();
    const occurred = resolved.map(({ payload }) => new Date(payload.occurredAt));
    const ids = await this.timeline.appendMany(
      resolved.map(({ entry, payload, profileId }, index) => ({
        profileId,
        type: payload.type,
        channel: payload.channel,
        source: entry.source,
        sourceKey: entry.sourceKey,
        occurredAt: occurred[index],
        receivedAt,
        properties: payload.properties,
      })),
      transaction,
    );
    const events = resolved.map(({ entry, payload, profileId, created }, index): ProcessedEvent => ({
      eventId: ids[index],
      profileId,
      profileCreated: created,
      source: entry.source,
      sourceKey: entry.sourceKey,
      type: payload.type,
      channel: payload.channel,
      occurredAt: occurred[index],
      identities: payload.identities,
      properties: payload.properties,
      attributes: payload.attributes ?? {},
      ...(payload.attributeSource ? { attributeSource: payload.attributeSource } : {}),
      tags: payload.tags ?? {},
    }));
    for (const stage of this.stages) await stage(events, transaction);
    return events;
  }
}

/** An inbox entry and the profile its event goes to. */
interface ResolvedEntry {
  entry: InboxEntry;
  payload: InboxPayload;
  profileId: number;
  created: boolean;
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
