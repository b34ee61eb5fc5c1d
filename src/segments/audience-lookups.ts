import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/** An audience as `SegmentService.audience` compiles it: a WHERE clause over `profiles p`, with its values. */
export interface AudienceCondition {
  where: string;
  values: Record<string, unknown>;
}

/**
 * The reads of an audience other rooms make (a push's recipients, an automation's filter, a plan's forecast). The
 * segments room is the read model over every room's tables: the SQL that joins them lives here.
 */

/** The profiles the audience selects now, in id order. */
export async function audienceIds(db: Database, audience: AudienceCondition): Promise<number[]> {
  const rows = await db.select<{ id: number }>(
    `SELECT p.id FROM profiles p WHERE ${audience.where} ORDER BY p.id`,
    audience.values,
  );
  return rows.map((row) => Number(row.id));
}

/** Whether the audience selects `profileId` (inside the caller's transaction). */
export async function audienceIncludes(
  db: Database,
  audience: AudienceCondition,
  profileId: number,
  transaction?: Transaction,
): Promise<boolean> {
  const [match] = await db.select<{ id: number }>(
    `SELECT p.id FROM profiles p WHERE p.id = :audienceProfile AND ${audience.where}`,
    { ...audience.values, audienceProfile: profileId },
    transaction,
  );
  return match !== undefined;
}

/** The audience's members, each with where they stand with `account`'s followers (null: never followed it). */
export function audienceFollows(
  db: Database,
  audience: AudienceCondition,
  account: string,
): Promise<{ id: number; subscribed: number | boolean | null; subscribed_at: unknown }[]> {
  return db.select<{ id: number; subscribed: number | boolean | null; subscribed_at: unknown }>(
    `SELECT p.id, s.subscribed, s.subscribed_at FROM profiles p
       LEFT JOIN subscriptions s ON s.profile_id = p.id AND s.account = :pushAccount
      WHERE ${audience.where}`,
    { ...audience.values, pushAccount: account },
  );
}

/** How many of the audience hold a value (not empty) for each attribute of `names` (absent: nobody). */
export async function audienceHolding(
  db: Database,
  audience: AudienceCondition,
  names: readonly string[],
): Promise<Record<string, number>> {
  if (names.length === 0) return {};
  const rows = await db.selectLong<{ name: string; holders: number }>(
    `SELECT a.name, COUNT(*) AS holders FROM profiles p
       JOIN attributes a ON a.profile_id = p.id AND a.name IN (:heldNames) AND a.value NOT IN ('""', 'null')
      WHERE ${audience.where} GROUP BY a.name`,
    { ...audience.values, heldNames: names },
  );
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.holders)]));
}
