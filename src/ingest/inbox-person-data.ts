import type { Database } from '../db/database';
import { likeContaining } from '../db/sql-like';
import type { PersonDataHandler } from '../profiles/person-data';
import { sourceKeysOfProfiles } from '../timeline/timeline-lookups';

/**
 * The inbox keeps payloads (identities, attributes) until the purge job: it is not exported (what it carried is in
 * the person's events and attributes), and erasure deletes the rows of the person's events and any other that
 * carries one of their identity values (an event that linked them to someone else). Found by plain reads and
 * deleted by id, so the inbox is never locked beyond those rows (webhooks keep writing to it meanwhile). It runs
 * before the timeline's erasure, which replaces the source keys the rows are found by.
 */
export function inboxPersonData(db: Database): PersonDataHandler {
  return {
    name: 'inbox',
    tables: ['inbox'],
    erasesBefore: ['timeline'],
    async export() {
      return {};
    },
    async erase(person, transaction) {
      const ids = new Set<number>();
      const keys = await sourceKeysOfProfiles(db, person.profileIds, transaction);
      for (let start = 0; start < keys.length; start += 500) {
        const part = keys.slice(start, start + 500);
        const rows = await db.select<{ id: number }>(
          'SELECT id FROM inbox WHERE source_key IN (:part)',
          { part },
          transaction,
        );
        for (const row of rows) ids.add(Number(row.id));
      }
      for (const { value } of person.identities) {
        const rows = await db.select<{ id: number }>(
          "SELECT id FROM inbox WHERE payload LIKE ? ESCAPE '!'",
          [likeContaining(value)],
          transaction,
        );
        for (const row of rows) ids.add(Number(row.id));
      }
      const all = [...ids];
      for (let start = 0; start < all.length; start += 500) {
        await db.execute('DELETE FROM inbox WHERE id IN (:part)', { part: all.slice(start, start + 500) }, transaction);
      }
    },
  };
}
