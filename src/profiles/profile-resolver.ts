import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { type Identity, identityKey, type IdentityType } from './identity';
import { normalizeIdentity } from './identity-normalizer';
import { mergeEvidence } from './merge-evidence';
import type { ProfileMerger } from './profile-merger';
import { ConflictError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';
import type { Clock } from '../util/clock';
import { BlockedIdentitiesError } from './profiles.errors';

export type IdentityStrength = 'strong' | 'scoped' | 'weak';

export interface ResolverOptions {
  strength: Partial<Record<IdentityType, IdentityStrength>>;
  blocked: Partial<Record<IdentityType, readonly string[]>>;
  /** When an event's strong identities belong to different profiles: merge them, or suggest it to an operator. */
  merge?: 'auto' | 'suggest';
}

const strengthOrder: Record<IdentityStrength, number> = { strong: 0, scoped: 1, weak: 2 };

/**
 * The owners of a batch's identities (identityKey → profile id) and the profiles this transaction has locked, kept
 * current while the batch resolves; `busy`: profiles another transaction held when `prepare` skipped them.
 */
export interface KnownOwners {
  owners: Map<string, number>;
  locked: Set<number>;
  busy: Set<number>;
}

export interface Resolution {
  profileId: number;
  created: boolean;
}

/**
 * Finds the profile an event's identities point at, creating it when none does, and attaches the identities that are
 * new to Persona. Runs inside the caller's transaction; two writers racing on the same new identity meet at the unique
 * key (identities.type+scope+value) and the loser's transaction fails with ConflictError, to be retried whole.
 *
 * Blocked values (test numbers, shared mailboxes) are ignored, so they never link two people. When the event's
 * strong identities belong to different profiles, those profiles are one person: they merge (reversibly, see
 * ProfileMerger), or in suggest mode the merge waits for an operator. Otherwise, when the identities point at more
 * than one profile, the one holding the strongest identity wins (ties: the oldest), and identities owned by others
 * stay where they are.
 */
export class ProfileResolver {
  private readonly blocked: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly merger: ProfileMerger,
    private readonly options: ResolverOptions,
    private readonly clock: Clock,
  ) {
    this.blocked = new Set(
      Object.entries(options.blocked).flatMap(([type, values]) =>
        (values ?? []).map((value) => {
          const identity = normalizeIdentity(type as IdentityType, value);
          if ('error' in identity)
            throw new Error(`identities.blocked.${type}: "${value}" is not usable: ${identity.error}`);
          return identityKey(identity);
        }),
      ),
    );
  }

  private rank(identity: Identity): number {
    return strengthOrder[this.options.strength[identity.type] ?? 'strong'];
  }

  /**
   * Looks up every identity of a batch of events at once and locks the profiles they point at, in id order (so two
   * workers with overlapping batches queue instead of deadlocking). `resolve` then works from the answer, keeping it
   * current as it creates profiles, attaches identities and merges.
   */
  async prepare(
    given: readonly Identity[],
    transaction: Transaction,
    options: { skipBusy?: boolean } = {},
  ): Promise<KnownOwners> {
    const identities = given.filter((identity) => !this.blocked.has(identityKey(identity)));
    const owners = identities.length > 0 ? await this.findOwners(identities, transaction) : new Map<string, number>();
    const known: KnownOwners = { owners, locked: new Set(), busy: new Set() };
    await this.lock([...new Set(owners.values())], known, transaction, options.skipBusy);
    return known;
  }

  /** Whether any of these identities belongs to a profile `prepare` found busy. */
  touchesBusy(given: readonly Identity[], known: KnownOwners): boolean {
    if (known.busy.size === 0) return false;
    return given.some((identity) => {
      const owner = known.owners.get(identityKey(identity));
      return owner !== undefined && known.busy.has(owner);
    });
  }

  /** Waits for the profiles `prepare` found busy and locks them after all. */
  async waitForBusy(known: KnownOwners, transaction: Transaction): Promise<void> {
    const busy = [...known.busy];
    known.busy.clear();
    await this.lock(busy, known, transaction);
  }

  /** Whether resolving these identities merges profiles (their strong identities belong to more than one). */
  wouldMerge(given: readonly Identity[], known: KnownOwners): boolean {
    const owners = new Set<number>();
    for (const identity of given) {
      const owner = known.owners.get(identityKey(identity));
      if (
        owner !== undefined &&
        this.rank(identity) === strengthOrder.strong &&
        !this.blocked.has(identityKey(identity))
      )
        owners.add(owner);
    }
    return owners.size > 1;
  }

  /**
   * `cause` names what is being resolved (the event's source key), for the record of any merge it leads to. With
   * `known` (from `prepare`) nothing is read again unless profiles merge.
   */
  async resolve(
    given: readonly Identity[],
    transaction: Transaction,
    cause: string,
    known?: KnownOwners,
  ): Promise<Resolution> {
    const identities = given.filter((identity) => !this.blocked.has(identityKey(identity)));
    if (identities.length === 0)
      throw new BlockedIdentitiesError('every identity of this event is on the blocked list');
    const state = known ?? {
      owners: await this.findOwners(identities, transaction),
      locked: new Set<number>(),
      busy: new Set<number>(),
    };
    const { owners } = state;
    await this.mergeStrongOwners(identities, owners, transaction, cause);
    const ranked = identities
      .filter((identity) => owners.has(identityKey(identity)))
      .map((identity) => ({ rank: this.rank(identity), profileId: owners.get(identityKey(identity)) as number }))
      .sort((a, b) => a.rank - b.rank || a.profileId - b.profileId);
    let profileId = ranked[0]?.profileId;
    let created = false;
    const now = this.clock();
    if (profileId === undefined) {
      profileId = await this.db.insert(
        'INSERT INTO profiles (created_at, updated_at) VALUES (?, ?)',
        [now, now],
        transaction,
      );
      state.locked.add(profileId);
      created = true;
    } else {
      await this.lock([profileId], state, transaction);
    }
    const fresh = identities.filter((identity) => !owners.has(identityKey(identity)));
    if (fresh.length > 0) {
      await this.db.execute(
        `INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES ${fresh.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        fresh.flatMap((identity) => [profileId, identity.type, identity.scope, identity.value, now]),
        transaction,
      );
      for (const identity of fresh) owners.set(identityKey(identity), profileId);
    }
    return { profileId, created };
  }

  /**
   * Takes the row locks of `profileIds` not yet held, before anything that refers to them is written. Child inserts
   * (identities, events) take a shared lock on a profile through their foreign keys; two transactions that each hold
   * that shared lock and then update the profile would deadlock. Locking first makes them queue instead. The locking
   * read sees the latest commit: if a profile was merged away or erased since the owners were read, they are stale,
   * and the entry is tried again in a fresh transaction.
   */
  private async lock(
    profileIds: readonly number[],
    known: KnownOwners,
    transaction: Transaction,
    skipBusy = false,
  ): Promise<void> {
    const wanted = profileIds.filter((id) => !known.locked.has(id)).sort((a, b) => a - b);
    if (wanted.length === 0) return;
    const rows = await this.db.select<{ id: number; merged_into: number | null; erased_at: unknown }>(
      `SELECT id, merged_into, erased_at FROM profiles WHERE id IN (:ids) ORDER BY id${skipBusy ? this.db.skipLocked : this.db.forUpdate}`,
      { ids: wanted },
      transaction,
    );
    const gone = rows.find((row) => row.merged_into !== null || row.erased_at);
    if (gone) throw new ConflictError(profilesText('profile.goneWhileResolving', { id: String(Number(gone.id)) }));
    const locked = new Set(rows.map((row) => Number(row.id)));
    for (const id of wanted) {
      if (locked.has(id)) known.locked.add(id);
      // Skipped: another transaction holds it. Without skipping, a missing row was erased since the owners were read.
      else if (skipBusy) known.busy.add(id);
      else throw new ConflictError(profilesText('profile.goneWhileResolving', { id: String(id) }));
    }
  }

  /**
   * The profiles holding this event's strong identities are one person. Auto mode merges them into the oldest and
   * re-points `owners`; suggest mode records the suggestion and leaves resolution to the strongest identity.
   */
  private async mergeStrongOwners(
    identities: readonly Identity[],
    owners: Map<string, number>,
    transaction: Transaction,
    cause: string,
  ): Promise<void> {
    const matched = identities
      .filter((identity) => this.rank(identity) === strengthOrder.strong && owners.has(identityKey(identity)))
      .map((identity) => ({ ...identity, profileId: owners.get(identityKey(identity)) as number }));
    const profiles = [...new Set(matched.map((item) => item.profileId))].sort((a, b) => a - b);
    if (profiles.length < 2) return;
    const evidence = mergeEvidence(matched);
    const [survivor, ...others] = profiles;
    for (const other of others) {
      if (this.options.merge === 'suggest') {
        await this.merger.store.suggest(survivor, other, evidence, cause, transaction);
        continue;
      }
      // Undefined when an operator unmerged or rejected this pair: the strongest identity decides instead.
      const merged = await this.merger.merge(survivor, other, evidence, cause, transaction);
      if (merged) for (const [key, owner] of owners) if (owner === other) owners.set(key, survivor);
    }
  }

  /** identityKey → profile id, for those of `identities` Persona already knows. One query per `maxChainedTerms`. */
  private async findOwners(identities: readonly Identity[], transaction: Transaction): Promise<Map<string, number>> {
    const owners = new Map<string, number>();
    for (const part of chunks(identities, maxChainedTerms)) {
      const rows = await this.db.select<{ profile_id: number; type: Identity['type']; scope: string; value: string }>(
        `SELECT profile_id, type, scope, value FROM identities WHERE ${part.map(() => '(type = ? AND scope = ? AND value = ?)').join(' OR ')}`,
        part.flatMap((identity) => [identity.type, identity.scope, identity.value]),
        transaction,
      );
      for (const row of rows) owners.set(identityKey(row), Number(row.profile_id));
    }
    return owners;
  }
}
