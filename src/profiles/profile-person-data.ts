import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from './person-data';

/**
 * The profiles room's tables about a person: their profiles (merged ones too), identities, attributes, follow state
 * and the merges they took part in. Their erasure is the profiles room's own (`ProfileEraser`).
 */
export function profilePersonData(db: Database): PersonDataHandler {
  return {
    name: 'profiles',
    tables: ['profiles', 'identities', 'attributes', 'subscriptions', 'merges'],
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
  };
}
