import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/**
 * What other rooms read about people from the profiles room's tables: follow state and openids per account (pushes),
 * the identities a webhook subscriber may know someone by, attribute values. Only this room's code names its tables
 * in SQL. `scope` restricts a read to some profiles; null reads everyone's (a plan's forecast).
 */

/** Where each of `ids` stands with `account`'s followers (profiles that never followed have no entry). */
export async function followStatesOf(
  db: Database,
  account: string,
  ids: readonly number[],
  transaction?: Transaction,
): Promise<Map<number, { following: boolean; subscribedAt: Date | null }>> {
  const rows = await db.select<{ profile_id: number; subscribed: number | boolean; subscribed_at: unknown }>(
    'SELECT profile_id, subscribed, subscribed_at FROM subscriptions WHERE account = :account AND profile_id IN (:ids)',
    { account, ids: ids.length > 0 ? ids : [0] },
    transaction,
  );
  return new Map(
    rows.map((row) => [
      Number(row.profile_id),
      { following: Boolean(row.subscribed), subscribedAt: db.parseTime(row.subscribed_at) },
    ]),
  );
}

/** The openid each of `ids` has with `account` (the newest, where a profile holds several after a merge). */
export async function openidsOf(
  db: Database,
  account: string,
  ids: readonly number[],
  transaction?: Transaction,
): Promise<Map<number, string>> {
  const rows = await db.select<{ profile_id: number; value: string }>(
    "SELECT profile_id, value FROM identities WHERE type = 'openid' AND scope = :account AND profile_id IN (:ids) ORDER BY id",
    { account, ids: ids.length > 0 ? ids : [0] },
    transaction,
  );
  return new Map(rows.map((row) => [Number(row.profile_id), row.value]));
}

/** The first openid `profileId` got with `account`, if any. */
export async function firstOpenidOf(db: Database, profileId: number, account: string): Promise<string | undefined> {
  const [row] = await db.select<{ value: string }>(
    "SELECT value FROM identities WHERE profile_id = ? AND type = 'openid' AND scope = ? ORDER BY id LIMIT 1",
    [profileId, account],
  );
  return row?.value;
}

/** The identities another system may know `profileId` by (CRM id, email, phone, unionid), oldest first. */
export function sharedIdentitiesOf(
  db: Database,
  profileId: number,
): Promise<{ type: string; scope: string; value: string }[]> {
  return db.select<{ type: string; scope: string; value: string }>(
    "SELECT type, scope, value FROM identities WHERE profile_id = ? AND type IN ('crm_id', 'email', 'phone', 'unionid') ORDER BY id",
    [profileId],
  );
}

/** The profiles whose attribute `name` is stored under `valueKey` (its comparable form); `scope` as in the others. */
export async function profilesWithAttribute(
  db: Database,
  query: { name: string; valueKey: string; scope: readonly number[] | null },
  transaction?: Transaction,
): Promise<number[]> {
  const rows = await db.select<{ profile_id: number }>(
    `SELECT profile_id FROM attributes WHERE name = :name AND value_key = :valueKey${query.scope ? ' AND profile_id IN (:ids)' : ''}`,
    { name: query.name, valueKey: query.valueKey, ids: query.scope ?? [] },
    transaction,
  );
  return rows.map((row) => Number(row.profile_id));
}

/** Each profile's value of the attributes `names` (as stored: JSON text); `scope`: only these profiles (null: all). */
export function attributeValuesOf(
  db: Database,
  query: { names: readonly string[]; scope: readonly number[] | null },
  transaction?: Transaction,
): Promise<{ profile_id: number; name: string; value: string }[]> {
  return db.select<{ profile_id: number; name: string; value: string }>(
    `SELECT profile_id, name, value FROM attributes WHERE name IN (:names)${query.scope ? ' AND profile_id IN (:ids)' : ''}`,
    { names: query.names, ids: query.scope ?? [] },
    transaction,
  );
}
