import { countEventsByProperty } from './timeline-lookups';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { erasedSourceKey } from './erased-source-keys';
import { indexEventProperties } from './event-property-index';
import type { TimelineEventRow } from './timeline-event-model';
import { readTimelinePage, type TimelineFilter, type TimelinePage } from './timeline-pages';
import { maxBoundValues } from '../db/sql-limits';
import { chunks } from '../util/chunks';
import type { PageRequest } from '../util/paging';

/** An event to put on a profile's timeline. `sourceKey` is unique across all sources: writing it twice is a no-op. */
export type NewTimelineEvent = Omit<TimelineEventRow, 'id'>;

export type { TimelineEventView, TimelinePage } from './timeline-pages';

/** An event just put on a timeline, seen inside the transaction that wrote it. */
export type AppendListener = (event: NewTimelineEvent & { id: number }, transaction: Transaction) => Promise<void>;

export class TimelineService {
  private readonly listeners: AppendListener[] = [];

  constructor(private readonly db: Database) {}

  /**
   * Runs `listener` for every event appended from now on, in the appending transaction (so what it writes commits
   * with the event or not at all). Answers the function that removes it.
   */
  onAppend(listener: AppendListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Events of `type` in [`from`, `to`), counted by their property `name`'s value (yesterday's lifecycle moves). */
  countByProperty(query: {
    type: string;
    name: string;
    from: Date;
    to: Date;
  }): Promise<{ value: string; count: number }[]> {
    return countEventsByProperty(this.db, query);
  }

  async append(event: NewTimelineEvent, transaction: Transaction): Promise<number> {
    const [id] = await this.appendMany([event], transaction);
    return id;
  }

  /**
   * Puts several events on timelines with one statement for the events and one for their property index, answering
   * their ids in the same order. The ids are read back by source key (unique), which holds whatever the server's
   * auto-increment mode hands out.
   */
  async appendMany(events: readonly NewTimelineEvent[], transaction: Transaction): Promise<number[]> {
    if (events.length === 0) return [];
    const into =
      'INSERT INTO events (profile_id, type, channel, source, source_key, occurred_at, received_at, properties)';
    const tuple = '(?, ?, ?, ?, ?, ?, ?, ?)';
    const rows = events.map((event) => [
      event.profileId,
      event.type,
      event.channel,
      event.source,
      event.sourceKey,
      event.occurredAt,
      event.receivedAt,
      JSON.stringify(event.properties ?? {}),
    ]);
    let ids: number[];
    if (events.length === 1) {
      ids = [await this.db.insert(`${into} VALUES ${tuple}`, rows[0], transaction)];
    } else {
      await this.db.insertRows({ into, tuple }, rows, transaction);
      const idOf = new Map<string, number>();
      for (const keys of chunks(
        events.map((event) => event.sourceKey),
        maxBoundValues,
      )) {
        const found = await this.db.select<{ id: number; source_key: string }>(
          'SELECT id, source_key FROM events WHERE source_key IN (:keys)',
          { keys },
          transaction,
        );
        for (const row of found) idOf.set(row.source_key, Number(row.id));
      }
      ids = events.map((event) => idOf.get(event.sourceKey) as number);
    }
    await indexEventProperties(
      this.db,
      events.map((event, index) => ({
        id: ids[index],
        profileId: event.profileId,
        type: event.type,
        occurredAt: event.occurredAt,
        properties: event.properties,
      })),
      transaction,
    );
    for (const [index, event] of events.entries()) {
      for (const listener of this.listeners) await listener({ ...event, id: ids[index] }, transaction);
    }
    return ids;
  }

  /**
   * Those of `sourceKeys` already on some timeline, as written or as an erased person's event keeps them (its
   * digest), so a message sent again after its sender's erasure is still a duplicate.
   */
  async existingKeys(sourceKeys: readonly string[], transaction?: Transaction): Promise<Set<string>> {
    const found = new Set<string>();
    const keyOf = new Map<string, string>();
    for (const key of sourceKeys) {
      keyOf.set(key, key);
      keyOf.set(erasedSourceKey(key), key);
    }
    for (const keys of chunks([...keyOf.keys()], maxBoundValues)) {
      const rows = await this.db.select<{ source_key: string }>(
        'SELECT source_key FROM events WHERE source_key IN (:keys)',
        { keys },
        transaction,
      );
      for (const row of rows) found.add(keyOf.get(row.source_key) as string);
    }
    return found;
  }

  /**
   * Newest first, `limit` at a time, continuing from `before` (a cursor from the previous page); `types` and
   * `interactions` keep only those events.
   */
  list(profileId: number, query: PageRequest & TimelineFilter): Promise<TimelinePage> {
    return readTimelinePage(this.db, profileId, query);
  }
}
