import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/** The profile and all profiles merged into it, directly or through others; the profile first. */
export async function mergedFamily(db: Database, profileId: number, transaction?: Transaction): Promise<number[]> {
  const family = [profileId];
  for (let frontier = [profileId]; frontier.length > 0;) {
    const rows = await db.select<{ id: number }>(
      'SELECT id FROM profiles WHERE merged_into IN (:frontier)',
      { frontier },
      transaction,
    );
    frontier = rows.map((row) => Number(row.id)).filter((id) => !family.includes(id));
    family.push(...frontier);
  }
  return family;
}
