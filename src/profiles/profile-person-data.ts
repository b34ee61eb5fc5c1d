import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from './person-data';

/**
 * The profiles room's tables about a person: their profiles (merged ones too), identities, attributes, follow state
 * and the merges they took part in. Erasure deletes all but the profiles, which become tombstones (read as 404), and
 * runs last: the other rooms find what is theirs by the person's identities.
 */
export function profilePersonData(db: Database): PersonDataHandler {
  return {
    name: 'profiles',
    tables: ['profiles', 'identities', 'attributes', 'subscriptions', 'merges', 'merge_moves'],
    async export(person, transaction) {
      return {
        profiles: await rowsOfProfiles(db, 'profiles', 'id', person, transaction),
        identities: await rowsOfProfiles(db, 'identities', 'profile_id', person, transaction),
        attributes: await rowsOfProfiles(db, 'attributes', 'profile_id', person, transaction),
        subscriptions: await rowsOfProfiles(db, 'subscriptions', 'profile_id', person, transaction),
        merges: await db.select(
          'SELECT id, survivor_id, absorbed_id, status, evidence, cause, created_at, merged_at, unmerged_at, decided_by FROM merges WHERE survivor_id IN (:ids) OR absorbed_id IN (:ids) ORDER BY id',
          { ids: person.profileIds },
          transaction,
        ),
      };
    },
    async erase({ profileIds }, transaction) {
      for (const table of ['identities', 'attributes', 'subscriptions']) {
        await db.execute(`DELETE FROM ${table} WHERE profile_id IN (:profileIds)`, { profileIds }, transaction);
      }
      // A swap's record holds both rows' contents (attribute values): gone with the merge, whatever the foreign keys do.
      await db.execute(
        'DELETE FROM merge_moves WHERE merge_id IN (SELECT id FROM merges WHERE survivor_id IN (:profileIds) OR absorbed_id IN (:profileIds))',
        { profileIds },
        transaction,
      );
      await db.execute(
        'DELETE FROM merges WHERE survivor_id IN (:profileIds) OR absorbed_id IN (:profileIds)',
        { profileIds },
        transaction,
      );
    },
  };
}
