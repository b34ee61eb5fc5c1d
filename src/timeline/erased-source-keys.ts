import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';

const prefix = 'erased:';

/**
 * What an erased person's event keeps of its source key. Keys are built from what the sender put in them (WeChat's
 * name the openid), so erasure replaces each with its digest. The digest depends on the key alone, never on the
 * time or a stored secret: the same message sent again after the erasure has the same key, whose digest is found,
 * so it is still a duplicate. Not keyed, so someone holding an openid and the event's time could check a guess
 * against it; it pseudonymises, it doesn't anonymise.
 */
export function erasedSourceKey(sourceKey: string): string {
  return `${prefix}${createHash('sha256').update(sourceKey).digest('hex')}`;
}

/** Replaces the source keys of `profileId`'s events with their digests; answers how many it replaced. */
export async function eraseSourceKeys(db: Database, profileId: number, transaction: Transaction): Promise<number> {
  const rows = await db.select<{ id: number; source_key: string }>(
    'SELECT id, source_key FROM events WHERE profile_id = ? AND source_key NOT LIKE ?',
    [profileId, `${prefix}%`],
    transaction,
  );
  for (const part of chunks(rows, maxChainedTerms)) {
    await db.execute(
      `UPDATE events SET source_key = CASE id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (?)`,
      [...part.flatMap((row) => [Number(row.id), erasedSourceKey(row.source_key)]), part.map((row) => Number(row.id))],
      transaction,
    );
  }
  return rows.length;
}
