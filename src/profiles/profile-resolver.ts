import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { type Identity, identityKey } from './identity';

export interface Resolution {
  profileId: number;
  created: boolean;
}

/**
 * Finds the profile an event's identities point at, creating it when none does, and attaches the identities that are
 * new to Persona. Runs inside the caller's transaction; two writers racing on the same new identity meet at the unique
 * key (identities.type+scope+value) and the loser's transaction fails with ConflictError, to be retried whole.
 *
 * When the identities point at more than one profile, the oldest one is used and identities owned by others stay
 * where they are (merging profiles is a separate, reversible step).
 */
export class ProfileResolver {
  constructor(private readonly db: Database) {}

  async resolve(identities: readonly Identity[], transaction: Transaction): Promise<Resolution> {
    if (identities.length === 0) throw new Error('an event needs at least one identity');
    const owners = await this.findOwners(identities, transaction);
    const matched = [...new Set(owners.values())].sort((a, b) => a - b);
    let profileId = matched[0];
    let created = false;
    const now = new Date();
    if (profileId === undefined) {
      profileId = await this.db.insert('INSERT INTO profiles (created_at, updated_at) VALUES (?, ?)', [now, now], transaction);
      created = true;
    }
    const fresh = identities.filter((identity) => !owners.has(identityKey(identity)));
    if (fresh.length > 0) {
      await this.db.execute(
        `INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES ${fresh.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        fresh.flatMap((identity) => [profileId, identity.type, identity.scope, identity.value, now]),
        transaction,
      );
    }
    return { profileId, created };
  }

  /** identityKey → profile id, for those of `identities` Persona already knows. One query. */
  private async findOwners(identities: readonly Identity[], transaction: Transaction): Promise<Map<string, number>> {
    const clauses = identities.map(() => '(type = ? AND scope = ? AND value = ?)').join(' OR ');
    const rows = await this.db.select<{ profile_id: number; type: Identity['type']; scope: string; value: string }>(
      `SELECT profile_id, type, scope, value FROM identities WHERE ${clauses}`,
      identities.flatMap((identity) => [identity.type, identity.scope, identity.value]),
      transaction,
    );
    return new Map(rows.map((row) => [identityKey(row), Number(row.profile_id)]));
  }
}
