import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';

/** The rules room's tables about a person: their tags, scores and the ledger of points behind the scores; erased whole. */
export function rulesPersonData(db: Database): PersonDataHandler {
  return {
    name: 'rules',
    tables: ['tags', 'scores', 'score_ledger'],
    // The ledger follows its events; a tag or a score group both profiles hold keeps the survivor's row.
    merge: {
      derived: [{ of: 'events', table: 'score_ledger', column: 'event_id' }],
      keyed: [
        { table: 'tags', key: 'name' },
        { table: 'scores', key: 'score_group' },
      ],
    },
    async export(person, transaction) {
      return {
        tags: await rowsOfProfiles(db, 'tags', 'profile_id', person, transaction),
        scores: await rowsOfProfiles(db, 'scores', 'profile_id', person, transaction),
        score_ledger: await rowsOfProfiles(db, 'score_ledger', 'profile_id', person, transaction),
      };
    },
    async erase({ profileIds }, transaction) {
      for (const table of ['tags', 'scores', 'score_ledger']) {
        await db.execute(`DELETE FROM ${table} WHERE profile_id IN (:profileIds)`, { profileIds }, transaction);
      }
    },
  };
}
