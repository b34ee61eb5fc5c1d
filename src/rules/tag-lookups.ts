import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/**
 * Which profiles hold one of the tags `names` at `now` (expired ones don't count); `scope`: only these profiles
 * (null: everyone). What other rooms read of the rules room's tags (a push's opt-outs).
 */
export async function tagHolders(
  db: Database,
  query: { names: readonly string[]; now: Date; scope: readonly number[] | null },
  transaction?: Transaction,
): Promise<number[]> {
  if (query.names.length === 0) return [];
  const rows = await db.select<{ profile_id: number }>(
    `SELECT profile_id FROM tags WHERE name IN (:tags) AND (expires_at IS NULL OR expires_at > :now)${query.scope ? ' AND profile_id IN (:ids)' : ''}`,
    { tags: query.names, now: query.now, ids: query.scope ?? [] },
    transaction,
  );
  return rows.map((row) => Number(row.profile_id));
}
