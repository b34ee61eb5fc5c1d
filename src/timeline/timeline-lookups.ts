import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { propertyKey } from './event-property-index';

/**
 * What other rooms read from the timeline's tables: events by profile, type or id, their source keys, the latest
 * actions with a property. Only this room's code names its tables in SQL. Without a transaction, large reads go on the
 * database's lane for long reads.
 */

/** Rows of an event as the rules room replays them. */
export interface ReplayedEvent {
  id: number;
  profile_id: number;
  type: string;
  channel: string | null;
  occurred_at: unknown;
  properties: string | null;
}

/** The profiles with at least one event of one of `types` (a long read). */
export async function profilesWithEventsOf(db: Database, types: readonly string[]): Promise<number[]> {
  const rows = await db.selectLong<{ profile_id: number }>(
    'SELECT DISTINCT profile_id FROM events WHERE type IN (:types)',
    { types },
  );
  return rows.map((row) => Number(row.profile_id));
}

/** The events of `types` of the profiles `ids`, each profile's earliest first. */
export function eventsOfProfiles(
  db: Database,
  ids: readonly number[],
  types: readonly string[],
  transaction?: Transaction,
): Promise<ReplayedEvent[]> {
  const sql =
    'SELECT id, profile_id, type, channel, occurred_at, properties FROM events WHERE profile_id IN (:ids) AND type IN (:types) ORDER BY profile_id, occurred_at, id';
  const values = { ids, types };
  return transaction ? db.select<ReplayedEvent>(sql, values, transaction) : db.selectLong<ReplayedEvent>(sql, values);
}

/** Events by id, in id order. */
export function eventsByIds(
  db: Database,
  ids: readonly number[],
): Promise<{ id: number; profile_id: number; occurred_at: unknown; properties: string | null }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select('SELECT id, profile_id, occurred_at, properties FROM events WHERE id IN (:ids) ORDER BY id', {
    ids,
  });
}

/** The ids of every event on the timelines of `profileIds`. */
export async function eventIdsOfProfiles(
  db: Database,
  profileIds: readonly number[],
  transaction?: Transaction,
): Promise<number[]> {
  const rows = await db.select<{ id: number }>(
    'SELECT id FROM events WHERE profile_id IN (:profileIds)',
    { profileIds },
    transaction,
  );
  return rows.map((row) => Number(row.id));
}

/** The source keys of every event on the timelines of `profileIds`. */
export async function sourceKeysOfProfiles(
  db: Database,
  profileIds: readonly number[],
  transaction?: Transaction,
): Promise<string[]> {
  const rows = await db.select<{ source_key: string }>(
    'SELECT source_key FROM events WHERE profile_id IN (:profileIds)',
    { profileIds },
    transaction,
  );
  return rows.map((row) => row.source_key);
}

/** When the latest event that did not come from Persona itself happened on `profileId`'s timeline. */
export async function lastOutsideEventAt(
  db: Database,
  profileId: number,
  transaction?: Transaction,
): Promise<Date | null> {
  const [row] = await db.select<{ lastEvent: unknown }>(
    "SELECT MAX(occurred_at) AS lastEvent FROM events WHERE profile_id = ? AND source <> 'persona'",
    [profileId],
    transaction,
  );
  return db.parseTime(row?.lastEvent);
}

/** Events of `type` between `from` and `to`, counted by the text value of their property `name` (lifecycle moves by stage). */
export async function countEventsByProperty(
  db: Database,
  query: { type: string; name: string; from: Date; to: Date },
): Promise<{ value: string; count: number }[]> {
  const rows = await db.select<{ value: string; n: number }>(
    `SELECT value_key AS value, COUNT(*) AS n FROM event_properties
      WHERE type = :type AND name = :name AND occurred_at >= :from AND occurred_at < :to AND value_key IS NOT NULL
      GROUP BY value_key ORDER BY n DESC`,
    query,
  );
  return rows.map((row) => ({ value: String(JSON.parse(row.value)), count: Number(row.n) }));
}

/** Events of `type` whose numeric property `name` is `value`, and how many people had one (a push's clicks). */
export async function countEventsWithNumber(
  db: Database,
  query: { type: string; name: string; value: number },
): Promise<{ events: number; people: number }> {
  const [row] = await db.select<{ events: number; people: number }>(
    `SELECT COUNT(*) AS events, COUNT(DISTINCT profile_id) AS people FROM event_properties
      WHERE type = :type AND name = :name AND value_number = :value`,
    query,
  );
  return { events: Number(row?.events ?? 0), people: Number(row?.people ?? 0) };
}

/**
 * Each profile's latest event of each of `types` whose property `name` is `value`, between `from` and `to` (found
 * through the property index); `scope`: only these profiles (null: everyone).
 */
export function latestEventsWithProperty(
  db: Database,
  query: {
    types: readonly string[];
    name: string;
    value: string;
    from: Date;
    to: Date;
    scope: readonly number[] | null;
  },
  transaction?: Transaction,
): Promise<{ profile_id: number; type: string; at: unknown }[]> {
  return db.select<{ profile_id: number; type: string; at: unknown }>(
    `SELECT profile_id, type, MAX(occurred_at) AS at FROM event_properties
      WHERE type IN (:types) AND name = :name AND value_key = :valueKey AND occurred_at >= :from AND occurred_at <= :to${query.scope ? ' AND profile_id IN (:ids)' : ''}
      GROUP BY profile_id, type`,
    {
      types: query.types,
      name: query.name,
      valueKey: propertyKey(query.value),
      from: query.from,
      to: query.to,
      ids: query.scope ?? [],
    },
    transaction,
  );
}

/**
 * The events of `type` whose property `name` is `value` since `:since`, as a derived table (`event_id`,
 * `occurred_at`) for one statement that joins another room's rows to them; binds `:propertyType`, `:propertyName`,
 * `:propertyValue` (see `eventsWithPropertyValues`) and the caller's `:since`.
 */
export const eventsWithPropertySince = `(SELECT event_id, occurred_at FROM event_properties
   WHERE type = :propertyType AND name = :propertyName AND value_key = :propertyValue AND occurred_at >= :since)`;

/** The values `eventsWithPropertySince` binds. */
export function eventsWithPropertyValues(type: string, name: string, value: string): Record<string, unknown> {
  return { propertyType: type, propertyName: name, propertyValue: propertyKey(value) };
}
