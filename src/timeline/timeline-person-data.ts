import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';
import { eraseSourceKeys } from './erased-source-keys';

/**
 * The timeline's tables about a person: their events and the index of the events' properties. Erasure keeps the
 * events for aggregate counts with no properties and source keys replaced by their digests (`erasedSourceKey`), and
 * deletes the index.
 */
export function timelinePersonData(db: Database): PersonDataHandler {
  return {
    name: 'timeline',
    tables: ['events', 'event_properties'],
    // Events move to the survivor, and their property index with them.
    merge: { moved: ['events'], derived: [{ of: 'events', table: 'event_properties', column: 'event_id' }] },
    async export(person, transaction) {
      return {
        events: await rowsOfProfiles(db, 'events', 'profile_id', person, transaction),
        event_properties: await rowsOfProfiles(db, 'event_properties', 'profile_id', person, transaction),
      };
    },
    async erase(person, transaction) {
      const { profileIds } = person;
      await db.execute('DELETE FROM event_properties WHERE profile_id IN (:profileIds)', { profileIds }, transaction);
      await db.execute(
        "UPDATE events SET properties = '{}' WHERE profile_id IN (:profileIds)",
        { profileIds },
        transaction,
      );
      for (const profileId of profileIds) await eraseSourceKeys(db, profileId, transaction);
    },
  };
}
