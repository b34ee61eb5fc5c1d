import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { NotFoundError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';

/** The SQL condition of a live profile (neither merged into another nor erased), over the profiles table as `alias`. */
export function liveProfileCondition(alias = 'p'): string {
  return `${alias}.merged_into IS NULL AND ${alias}.erased_at IS NULL`;
}

/**
 * The live population as the FROM item of one statement over everyone (`profiles <alias> WHERE <live>`): callers
 * append their own conditions with AND.
 */
export function liveProfilesWhere(alias = 'p'): string {
  return `profiles ${alias} WHERE ${liveProfileCondition(alias)}`;
}

/**
 * Which of `ids` are live profiles, in id order. With `lock` (inside a transaction about to write to them) they are
 * locked in that order, so concurrent writers queue for a profile instead of overruling each other. Without a
 * transaction, `long` reads on the database's lane for long reads (a preview's batches).
 */
export async function liveProfilesAmong(
  db: Database,
  ids: readonly number[],
  transaction?: Transaction,
  options: { lock?: boolean; long?: boolean } = {},
): Promise<number[]> {
  if (ids.length === 0) return [];
  const sql = `SELECT p.id FROM profiles p WHERE p.id IN (:ids) AND ${liveProfileCondition('p')} ORDER BY p.id${options.lock ? db.forUpdate : ''}`;
  const rows =
    options.long && !transaction
      ? await db.selectLong<{ id: number }>(sql, { ids })
      : await db.select<{ id: number }>(sql, { ids }, transaction);
  return rows.map((row) => Number(row.id));
}

/**
 * Locks the rows of the profiles `ids` (live or not), in id order, as every writer of a profile's rows does: an event
 * scored meanwhile waits instead of being overwritten. Answers the ids found.
 */
export async function lockProfiles(db: Database, ids: readonly number[], transaction: Transaction): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.select<{ id: number }>(
    `SELECT id FROM profiles WHERE id IN (:ids) ORDER BY id${db.forUpdate}`,
    { ids },
    transaction,
  );
  return rows.map((row) => Number(row.id));
}

/** Where each of the profiles `ids` stands (merged into another, erased), their rows locked in id order. */
export async function lockedProfileStates(
  db: Database,
  ids: readonly number[],
  transaction: Transaction,
): Promise<{ id: number; mergedInto: number | null; erased: boolean }[]> {
  if (ids.length === 0) return [];
  const rows = await db.select<{ id: number; merged_into: number | null; erased_at: unknown }>(
    `SELECT id, merged_into, erased_at FROM profiles WHERE id IN (:ids) ORDER BY id${db.forUpdate}`,
    { ids },
    transaction,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    mergedInto: row.merged_into === null ? null : Number(row.merged_into),
    erased: Boolean(row.erased_at),
  }));
}

/** The profiles merged straight into one of `survivors`, each with its survivor. */
export async function profilesMergedInto(
  db: Database,
  survivors: readonly number[],
  transaction?: Transaction,
): Promise<{ id: number; survivor: number }[]> {
  if (survivors.length === 0) return [];
  const rows = await db.select<{ id: number; merged_into: number }>(
    'SELECT id, merged_into FROM profiles WHERE merged_into IN (:survivors)',
    { survivors },
    transaction,
  );
  return rows.map((row) => ({ id: Number(row.id), survivor: Number(row.merged_into) }));
}

/** Merges chain (A into B, later B into C); no real chain is this long, a cycle would be. */
const maxHops = 32;

/**
 * The live profile behind an id: itself, or the survivor it was merged into (following later merges too). Erased
 * and unknown profiles are not found. With `lock` (inside a transaction that is about to write to the profile) the
 * reads are locking ones: they see the latest commit, and the live profile stays live until the transaction ends.
 */
export async function liveProfileId(
  db: Database,
  id: number,
  transaction?: Transaction,
  options: { lock?: boolean } = {},
): Promise<number> {
  let current = id;
  for (let hop = 0; hop < maxHops; hop += 1) {
    const [row] = await db.select<{ merged_into: number | null; erased_at: unknown }>(
      `SELECT merged_into, erased_at FROM profiles WHERE id = ?${options.lock ? db.forUpdate : ''}`,
      [current],
      transaction,
    );
    if (!row || row.erased_at) throw new NotFoundError(profilesText('profile.notFound', { id: String(id) }));
    if (row.merged_into === null) return current;
    current = Number(row.merged_into);
  }
  throw new Error(`profile ${id}: merge pointers go round in a circle`);
}
