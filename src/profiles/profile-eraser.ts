import type { Database } from '../db/database';
import { NotFoundError } from '../errors/not-found.error';

export interface ErasureReceipt {
  profileId: number;
  erasedAt: string;
  identities: number;
  attributes: number;
  events: number;
}

/**
 * Erases a person (the right to be forgotten): identities, attributes and follow state are deleted, their events stay
 * on the timeline for aggregate counts but lose every property, the inbox rows and delivery reports that carried their
 * keys are deleted, and the profile becomes a tombstone that reads as 404. One transaction, recorded in the audit log.
 */
export class ProfileEraser {
  constructor(private readonly db: Database) {}

  async erase(profileId: number, actor: string): Promise<ErasureReceipt> {
    const erasedAt = new Date();
    return this.db.transaction(async (transaction) => {
      const [profile] = await this.db.select<{ id: number }>(
        `SELECT id FROM profiles WHERE id = ? AND erased_at IS NULL${this.db.forUpdate}`,
        [profileId],
        transaction,
      );
      if (!profile) throw new NotFoundError(`no profile ${profileId}`);
      const openids = await this.db.select<{ value: string }>(
        "SELECT value FROM identities WHERE profile_id = ? AND type = 'openid'",
        [profileId],
        transaction,
      );
      if (openids.length > 0) {
        await this.db.execute(
          'DELETE FROM delivery_reports WHERE recipient IN (:openids)',
          { openids: openids.map((row) => row.value) },
          transaction,
        );
      }
      await this.db.execute(
        'DELETE FROM inbox WHERE source_key IN (SELECT source_key FROM events WHERE profile_id = ?)',
        [profileId],
        transaction,
      );
      const identities = await this.db.execute('DELETE FROM identities WHERE profile_id = ?', [profileId], transaction);
      const attributes = await this.db.execute('DELETE FROM attributes WHERE profile_id = ?', [profileId], transaction);
      await this.db.execute('DELETE FROM subscriptions WHERE profile_id = ?', [profileId], transaction);
      const events = await this.db.execute(
        "UPDATE events SET properties = '{}' WHERE profile_id = ?",
        [profileId],
        transaction,
      );
      await this.db.execute(
        `UPDATE profiles SET erased_at = ?, updated_at = ?, first_touch_source = NULL, first_touch_channel = NULL
          WHERE id = ?`,
        [erasedAt, erasedAt, profileId],
        transaction,
      );
      const receipt = { profileId, erasedAt: erasedAt.toISOString(), identities, attributes, events };
      await this.db.execute(
        "INSERT INTO audit_log (actor, action, subject, details, at) VALUES (?, 'profile.erased', ?, ?, ?)",
        [actor, `profile:${profileId}`, JSON.stringify(receipt), erasedAt],
        transaction,
      );
      return receipt;
    });
  }
}
