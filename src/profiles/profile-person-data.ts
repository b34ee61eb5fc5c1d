import type { Database } from '../db/database';
import type { AttributeValue } from './attribute-catalog';
import type { AttributeHolding } from './attribute.service';
import { type PersonDataHandler, rowsOfProfiles, type RowContents } from './person-data';

/** Whether, for an attribute both profiles hold, the absorbed profile's value should be the survivor's. */
export type AttributeArbiter = (name: string, survivor: AttributeHolding, absorbed: AttributeHolding) => boolean;

/** A row's columns but its id and owner. */
function contentsOf(row: Record<string, unknown>): RowContents {
  const { id: _id, profile_id: _profileId, ...contents } = row;
  return contents;
}

/**
 * The profiles room's tables about a person: their profiles (merged ones too), identities, attributes, follow state
 * and the merges they took part in. Erasure deletes all but the profiles, which become tombstones (read as 404), and
 * runs last: the other rooms find what is theirs by the person's identities.
 */
export function profilePersonData(db: Database, absorbedWins: AttributeArbiter): PersonDataHandler {
  const holding = (row: Record<string, unknown>): AttributeHolding => ({
    value: JSON.parse(String(row.value)) as AttributeValue,
    source: String(row.source),
    updatedAt: db.parseTime(row.updated_at),
  });
  const time = (row: Record<string, unknown>, column: string) =>
    db.parseTime(row[column])?.getTime() ?? Number.POSITIVE_INFINITY;
  return {
    name: 'profiles',
    merge: {
      moved: ['identities'],
      keyed: [
        {
          // An attribute both hold: the arbiter decides (precedence, consent).
          table: 'attributes',
          key: 'name',
          generated: ['value_key', 'value_number'],
          merged: (survivor, absorbed) =>
            absorbedWins(String(survivor.name), holding(survivor), holding(absorbed))
              ? contentsOf(absorbed)
              : undefined,
        },
        {
          // Follow state: the newer change, keeping the earlier first follow and how it came.
          table: 'subscriptions',
          key: 'account',
          merged: (survivor, absorbed) => {
            const state = time(absorbed, 'changed_at') > time(survivor, 'changed_at') ? absorbed : survivor;
            const first =
              time(absorbed, 'first_subscribed_at') < time(survivor, 'first_subscribed_at') ? absorbed : survivor;
            return {
              ...contentsOf(state),
              first_subscribed_at: first.first_subscribed_at,
              source: first.source,
              channel: first.channel,
            };
          },
        },
      ],
    },
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
