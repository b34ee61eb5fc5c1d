import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';

/** The segments room's table about a person: the frozen segments they are a member of. */
export function segmentPersonData(db: Database): PersonDataHandler {
  return {
    name: 'segments',
    tables: ['segment_members'],
    async export(person, transaction) {
      return { segment_members: await rowsOfProfiles(db, 'segment_members', 'profile_id', person, transaction) };
    },
  };
}
