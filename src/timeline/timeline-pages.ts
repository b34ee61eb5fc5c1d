import type { Database } from '../db/database';
import { Keyset, type PageRequest } from '../util/paging';
import { personaEventSource } from './persona-event-types';

export interface TimelineEventView {
  id: number;
  type: string;
  channel: string | null;
  source: string;
  occurredAt: string;
  receivedAt: string;
  properties: Record<string, unknown>;
}

export interface TimelinePage {
  events: TimelineEventView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Which events a page shows: those of `types`, and with `interactions` everything the person did (every event but
 * the ones Persona records about its own doing). Neither: all of them.
 */
export interface TimelineFilter {
  types?: readonly string[];
  interactions?: boolean;
}

interface EventRow {
  id: number;
  type: string;
  channel: string | null;
  source: string;
  occurred_at: unknown;
  received_at: unknown;
  properties: string | null;
}

/** Newest first by when it happened; events of the same millisecond by id. */
const timelinePages = new Keyset<TimelineEventView>({
  list: 'timeline',
  keys: [
    { column: 'occurred_at', kind: 'time' },
    { column: 'id', kind: 'id' },
  ],
  direction: 'desc',
  keyOf: (event) => [new Date(event.occurredAt), event.id],
});

/** One page of a profile's timeline (see TimelineService.list). */
export async function readTimelinePage(
  db: Database,
  profileId: number,
  query: PageRequest & TimelineFilter,
): Promise<TimelinePage> {
  const kinds: string[] = [];
  if (query.interactions) kinds.push('source <> :personaSource');
  if (query.types && query.types.length > 0) kinds.push('type IN (:types)');
  const page = timelinePages.clause(query);
  const rows = await db.select<EventRow>(
    `SELECT id, type, channel, source, occurred_at, received_at, properties FROM events
      WHERE profile_id = :profileId AND ${kinds.length > 0 ? `(${kinds.join(' OR ')})` : '1 = 1'} AND ${page.where} ${page.orderAndLimit}`,
    { profileId, personaSource: personaEventSource, types: query.types ?? [], ...page.values },
  );
  const time = (value: unknown) => db.parseTime(value)?.toISOString() ?? '';
  const events = rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    channel: row.channel,
    source: row.source,
    occurredAt: time(row.occurred_at),
    receivedAt: time(row.received_at),
    properties: row.properties ? (JSON.parse(row.properties) as Record<string, unknown>) : {},
  }));
  const { items, nextCursor } = timelinePages.page(events, query, (event) => event);
  return { events: items, nextCursor };
}
