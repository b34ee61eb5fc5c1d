import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { liveProfileId } from './live-profile';
import { NotFoundError } from '../errors/not-found.error';
import { eraseSourceKeys } from '../timeline/erased-source-keys';
import type { StoredIdentity } from './identity-mentions';
import { mergedFamily } from './merged-family';
import type { PersonDataHandler } from './person-data';
import type { Clock } from '../util/clock';

export interface ErasureReceipt {
  profileId: number;
  erasedAt: string;
  identities: number;
  attributes: number;
  events: number;
}

/**
 * Erases a person (the right to be forgotten): identities, attributes and follow state are deleted, their events stay
 * on the timeline for aggregate counts but lose every property and keep only a digest of their source key, the inbox
 * rows that carried their keys are deleted, what other rooms keep about them is removed or pseudonymised by those
 * rooms (their `PersonDataHandler.erase`), and the profile becomes a tombstone that reads as 404. One transaction, recorded in the
 * audit log.
 */
export class ProfileEraser {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly rooms: readonly PersonDataHandler[] = [],
  ) {}

  /**
   * Erases the person behind `requestedId`: the live profile (a merged one's survivor) and every profile merged into
   * it, whose leftover rows (a tag or attribute the survivor also had) and merge records (the evidence names
   * identities) are theirs too.
   */
  async erase(requestedId: number, actor: string): Promise<ErasureReceipt> {
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction, { lock: true });
      const family = await mergedFamily(this.db, profileId, transaction);
      const identities = await this.db.select<StoredIdentity>(
        'SELECT type, value FROM identities WHERE profile_id IN (:family)',
        { family },
        transaction,
      );
      for (const room of this.rooms) await room.erase?.({ profileIds: family, identities }, transaction);
      let receipt: ErasureReceipt | undefined;
      for (const id of family) {
        const erased = await this.eraseOne(id, actor, transaction);
        receipt ??= erased;
      }
      // A swap's record holds both rows' contents (attribute values): gone with the merge, whatever the foreign keys do.
      await this.db.execute(
        'DELETE FROM merge_moves WHERE merge_id IN (SELECT id FROM merges WHERE survivor_id IN (:family) OR absorbed_id IN (:family))',
        { family },
        transaction,
      );
      await this.db.execute(
        'DELETE FROM merges WHERE survivor_id IN (:family) OR absorbed_id IN (:family)',
        { family },
        transaction,
      );
      // Queued announcements about them would carry their data (and are fetched with their identities): unsent.
      await this.db.execute('DELETE FROM webhook_deliveries WHERE profile_id IN (:family)', { family }, transaction);
      // What the model found in their messages is about them (the messages' events are in the family's timelines).
      await this.db.execute(
        'DELETE FROM ai_classifications WHERE profile_id IN (:family) OR event_id IN (SELECT id FROM events WHERE profile_id IN (:family))',
        { family },
        transaction,
      );
      return receipt as ErasureReceipt;
    });
  }

  /**
   * Inbox rows keep payloads (identities, attributes) until the purge job: those of the person's events, and any other
   * that carries one of their identity values (an event that linked them to someone else). Found by plain reads and
   * deleted by id, so the inbox is never locked beyond those rows (webhooks keep writing to it meanwhile).
   */
  private async purgeInbox(profileId: number, transaction: Transaction): Promise<void> {
    const ids = new Set<number>();
    const keys = await this.db.select<{ source_key: string }>(
      'SELECT source_key FROM events WHERE profile_id = ?',
      [profileId],
      transaction,
    );
    for (let start = 0; start < keys.length; start += 500) {
      const part = keys.slice(start, start + 500).map((row) => row.source_key);
      const rows = await this.db.select<{ id: number }>(
        'SELECT id FROM inbox WHERE source_key IN (:part)',
        { part },
        transaction,
      );
      for (const row of rows) ids.add(Number(row.id));
    }
    const values = await this.db.select<{ value: string }>(
      'SELECT value FROM identities WHERE profile_id = ?',
      [profileId],
      transaction,
    );
    for (const { value } of values) {
      const rows = await this.db.select<{ id: number }>(
        "SELECT id FROM inbox WHERE payload LIKE ? ESCAPE '!'",
        [`%${value.replace(/[!%_]/g, '!$&')}%`],
        transaction,
      );
      for (const row of rows) ids.add(Number(row.id));
    }
    const all = [...ids];
    for (let start = 0; start < all.length; start += 500) {
      await this.db.execute(
        'DELETE FROM inbox WHERE id IN (:part)',
        { part: all.slice(start, start + 500) },
        transaction,
      );
    }
  }

  private async eraseOne(profileId: number, actor: string, transaction: Transaction): Promise<ErasureReceipt> {
    const erasedAt = this.clock();
    const [profile] = await this.db.select<{ id: number }>(
      `SELECT id FROM profiles WHERE id = ?${this.db.forUpdate}`,
      [profileId],
      transaction,
    );
    if (!profile) throw new NotFoundError(`no profile ${profileId}`);
    await this.purgeInbox(profileId, transaction);
    const identities = await this.db.execute('DELETE FROM identities WHERE profile_id = ?', [profileId], transaction);
    const attributes = await this.db.execute('DELETE FROM attributes WHERE profile_id = ?', [profileId], transaction);
    await this.db.execute('DELETE FROM tags WHERE profile_id = ?', [profileId], transaction);
    await this.db.execute('DELETE FROM scores WHERE profile_id = ?', [profileId], transaction);
    await this.db.execute('DELETE FROM subscriptions WHERE profile_id = ?', [profileId], transaction);
    await this.db.execute('DELETE FROM event_properties WHERE profile_id = ?', [profileId], transaction);
    await this.db.execute('DELETE FROM score_ledger WHERE profile_id = ?', [profileId], transaction);
    const events = await this.db.execute(
      "UPDATE events SET properties = '{}' WHERE profile_id = ?",
      [profileId],
      transaction,
    );
    // After the inbox purge, which finds the inbox rows by these keys as they were.
    await eraseSourceKeys(this.db, profileId, transaction);
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
  }
}
