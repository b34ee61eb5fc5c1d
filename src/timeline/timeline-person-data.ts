import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';

/** The timeline's tables about a person: their events and the index of the events' properties. */
export function timelinePersonData(db: Database): PersonDataHandler {
  return {
    name: 'timeline',
    tables: ['events', 'event_properties'],
    async export(person, transaction) {
      return {
        events: await rowsOfProfiles(db, 'events', 'profile_id', person, transaction),
        event_properties: await rowsOfProfiles(db, 'event_properties', 'profile_id', person, transaction),
      };
    },
  };
}
