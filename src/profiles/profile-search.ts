import type { Database } from '../db/database';
import { liveProfileCondition } from './live-profile';

/** `text` as a LIKE pattern's literal part (`!` escapes, on every database). */
const literal = (text: string) => text.replace(/[!%_]/g, (character) => `!${character}`);

/**
 * Live profiles whose name starts with `prefix` (林 finds 林娟霞 and 林小明; a whole name finds its namesakes), in id
 * order, at most `limit`. Names are stored as JSON text, so the pattern is the JSON string without its closing quote.
 */
export async function profilesNamed(db: Database, prefix: string, limit: number): Promise<number[]> {
  const start = JSON.stringify(prefix).slice(0, -1);
  const rows = await db.select<{ id: number }>(
    `SELECT a.profile_id AS id FROM attributes a JOIN profiles p ON p.id = a.profile_id
      WHERE a.name = 'name' AND a.value_key LIKE :pattern ESCAPE '!' AND ${liveProfileCondition('p')}
      ORDER BY a.profile_id LIMIT ${Math.trunc(limit)}`,
    { pattern: `${literal(start)}%` },
  );
  return rows.map((row) => Number(row.id));
}

/** Live profiles with a phone number ending in `digits` (尾号8000), in id order, at most `limit`. */
export async function profilesWithPhoneEnding(db: Database, digits: string, limit: number): Promise<number[]> {
  const rows = await db.select<{ id: number }>(
    `SELECT DISTINCT i.profile_id AS id FROM identities i JOIN profiles p ON p.id = i.profile_id
      WHERE i.type = 'phone' AND i.value LIKE :pattern ESCAPE '!' AND ${liveProfileCondition('p')}
      ORDER BY i.profile_id LIMIT ${Math.trunc(limit)}`,
    { pattern: `%${literal(digits)}` },
  );
  return rows.map((row) => Number(row.id));
}
