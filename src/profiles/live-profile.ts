import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { NotFoundError } from '../errors/not-found.error';

/** The SQL condition of a live profile (neither merged into another nor erased), over the profiles table as `alias`. */
export function liveProfileCondition(alias = 'p'): string {
  return `${alias}.merged_into IS NULL AND ${alias}.erased_at IS NULL`;
}

/**
 * Which of `ids` are live profiles, in id order. With `lock` (inside a transaction about to write to them) they are
 * locked in that order, so concurrent writers queue for a profile instead of overruling each other.
 */
export async function liveProfilesAmong(
  db: Database,
  ids: readonly number[],
  transaction: Transaction,
  options: { lock?: boolean } = {},
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.select<{ id: number }>(
    `SELECT p.id FROM profiles p WHERE p.id IN (:ids) AND ${liveProfileCondition('p')} ORDER BY p.id${options.lock ? db.forUpdate : ''}`,
    { ids },
    transaction,
  );
  return rows.map((row) => Number(row.id));
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
    if (!row || row.erased_at) throw new NotFoundError(`no profile ${id}`);
    if (row.merged_into === null) return current;
    current = Number(row.merged_into);
  }
  throw new Error(`profile ${id}: merge pointers go round in a circle`);
}
