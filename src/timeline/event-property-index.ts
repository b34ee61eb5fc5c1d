import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/** The properties the index keeps (what a segment filter can name): top-level, up to 64 letters, digits and _. */
export const propertyNamePattern = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

/**
 * The event property index: one row per top-level scalar property of each event, with the event's profile, type and
 * time, so `event:article_view[topic=sports] >= 3 in 30d` reads one index range instead of parsing the JSON of every
 * article view in the window. The events table stays the record; these rows are derived from it, written with the
 * event, moved with it by merges and emptied with it by erasure.
 *
 * Values are typed the way segment filters compare them: a string or a boolean is kept as its JSON text in
 * `value_key` (strings quoted, so `"true"` and `true` differ); a JSON text too long to index is kept as `#` and its
 * SHA-256, which no JSON text starts with, so equality still finds it; a finite number is kept in `value_number`.
 */
export interface EventPropertyRow {
  name: string;
  valueKey: string | null;
  valueNumber: number | null;
}

/** The longest JSON text `value_key` holds as it is (the column is VARCHAR(191)). */
const indexedTextLength = 191;

/** The indexed form of a JSON scalar as text: itself when short enough, else its digest. */
export function propertyKey(value: string | boolean): string {
  const json = JSON.stringify(value);
  return json.length <= indexedTextLength ? json : `#${createHash('sha256').update(json).digest('hex')}`;
}

/** The rows an event's properties give: scalars only (objects, arrays and nulls are not filterable). */
export function propertyRows(properties: Readonly<Record<string, unknown>> | null | undefined): EventPropertyRow[] {
  const rows: EventPropertyRow[] = [];
  for (const [name, value] of Object.entries(properties ?? {})) {
    // Only what a filter can name.
    if (!propertyNamePattern.test(name)) continue;
    if (typeof value === 'string' || typeof value === 'boolean')
      rows.push({ name, valueKey: propertyKey(value), valueNumber: null });
    else if (typeof value === 'number' && Number.isFinite(value))
      rows.push({ name, valueKey: null, valueNumber: value });
  }
  return rows;
}

export interface IndexedEvent {
  id: number;
  profileId: number;
  type: string;
  occurredAt: Date;
  properties: Readonly<Record<string, unknown>> | null | undefined;
}

/** Writes the index rows of freshly appended events (one statement for all of them, as the bound-value limit allows). */
export async function indexEventProperties(
  db: Database,
  events: readonly IndexedEvent[],
  transaction: Transaction,
): Promise<void> {
  const rows = events.flatMap((event) =>
    propertyRows(event.properties).map((row) => [
      event.id,
      event.profileId,
      event.type,
      event.occurredAt,
      row.name,
      row.valueKey,
      row.valueNumber,
    ]),
  );
  await db.insertRows(
    {
      into: 'INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)',
      tuple: '(?, ?, ?, ?, ?, ?, ?)',
    },
    rows,
    transaction,
  );
}
