import type { Transaction } from 'sequelize';
import { recordAudit } from '../audit/audit-log';
import type { Database } from '../db/database';
import { liveProfileId } from './live-profile';
import { NotFoundError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';
import type { StoredIdentity } from './identity-mentions';
import { mergedFamily } from './merged-family';
import type { PersonDataRegistry } from './person-data';
import type { Clock } from '../util/clock';

export interface ErasureReceipt {
  profileId: number;
  erasedAt: string;
  identities: number;
  attributes: number;
  events: number;
}

/**
 * Erases a person (the right to be forgotten), in one transaction: every room's handler removes or pseudonymises
 * what it keeps about them (`PersonDataHandler.erase`, in the order they are registered: the inbox before the
 * timeline, whose source keys find its rows; the profiles room last, since the others find theirs by the person's
 * identities), then each profile becomes a tombstone that reads as 404, recorded in the audit log.
 */
export class ProfileEraser {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly personData: Pick<PersonDataRegistry, 'list'>,
  ) {}

  /**
   * Erases the person behind `requestedId`: the live profile (a merged one's survivor) and every profile merged into
   * it, whose leftover rows (a tag or attribute the survivor also had) and merge records (the evidence names
   * identities) are theirs too. Answers the live profile's receipt.
   */
  async erase(requestedId: number, actor: string): Promise<ErasureReceipt> {
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction, { lock: true });
      const family = await mergedFamily(this.db, profileId, transaction);
      const locked = await this.db.select<{ id: number }>(
        `SELECT id FROM profiles WHERE id IN (:family) ORDER BY id${this.db.forUpdate}`,
        { family },
        transaction,
      );
      if (locked.length !== family.length)
        throw new NotFoundError(profilesText('profile.notFound', { id: String(profileId) }));
      const identities = await this.db.select<StoredIdentity>(
        'SELECT type, value FROM identities WHERE profile_id IN (:family)',
        { family },
        transaction,
      );
      const erasedAt = this.clock();
      const receipts: ErasureReceipt[] = [];
      for (const id of family) receipts.push(await this.receipt(id, erasedAt, transaction));
      for (const handler of this.personData.list())
        await handler.erase?.({ profileIds: family, identities }, transaction);
      await this.db.execute(
        `UPDATE profiles SET erased_at = :erasedAt, updated_at = :erasedAt, first_touch_source = NULL, first_touch_channel = NULL
          WHERE id IN (:family)`,
        { erasedAt, family },
        transaction,
      );
      for (const receipt of receipts) {
        const subject = `profile:${receipt.profileId}`;
        await recordAudit(
          this.db,
          { actor, action: 'profile.erased', subject, details: receipt, at: erasedAt },
          transaction,
        );
      }
      return receipts[0];
    });
  }

  /** What erasing one profile removes: its identities and attributes, and the events it empties. */
  private async receipt(profileId: number, erasedAt: Date, transaction: Transaction): Promise<ErasureReceipt> {
    const count = async (table: string) =>
      Number(
        (
          await this.db.select<{ n: number }>(
            `SELECT COUNT(*) AS n FROM ${table} WHERE profile_id = ?`,
            [profileId],
            transaction,
          )
        )[0].n,
      );
    return {
      profileId,
      erasedAt: erasedAt.toISOString(),
      identities: await count('identities'),
      attributes: await count('attributes'),
      events: await count('events'),
    };
  }
}
