import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { ConflictError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';
import type { TimelineService } from '../timeline/timeline.service';
import { liveProfileId } from './live-profile';
import type { MergeEvidence } from './merge-evidence';
import { MergeRows } from './merge-rows';
import type { PersonDataRegistry } from './person-data';
import { type MergeRow, MergeStore, pairKey } from './merge-store';
import type { Clock } from '../util/clock';
import { lastOutsideEventAt } from '../timeline/timeline-lookups';

export interface MergeResult {
  mergeId: number;
  survivorId: number;
  absorbedId: number;
}

interface ProfileColumns {
  id: number;
  merged_into: number | null;
  erased_at: unknown;
  first_touch_source: string | null;
  first_touch_channel: string | null;
  first_touch_at: unknown;
  last_seen_at: unknown;
}

/**
 * Merges two profiles of one person without deleting anything, and undoes it exactly.
 *
 * Survivor rule: the older profile (the lower id) survives. Rows move or are rewritten through MergeRows (which
 * records everything), the survivor's own columns before the merge are kept on the merge, and the absorbed profile
 * becomes a pointer to the survivor. Unmerge plays the record backwards, newest merge first. Events, identities
 * and values that reached the survivor after the merge stay with it, and an unmerged pair is not merged again by
 * the same evidence.
 */
export class ProfileMerger {
  readonly store: MergeStore;
  private mergeRows: MergeRows | undefined;

  constructor(
    private readonly db: Database,
    private readonly timeline: TimelineService,
    /** How each room's rows follow a merge (the person-data handlers' `merge`), read at the first merge. */
    private readonly personData: Pick<PersonDataRegistry, 'mergeSpecs'>,
    private readonly clock: Clock,
  ) {
    this.store = new MergeStore(db, clock);
  }

  /**
   * Merges `a` and `b` inside the caller's transaction, unless an operator unmerged or rejected that pair before
   * (then answers undefined). A pending suggestion for the pair becomes this merge.
   */
  async merge(
    a: number,
    b: number,
    evidence: MergeEvidence,
    cause: string,
    transaction: Transaction,
    options: { decidedBy?: string; suggestionId?: number; at?: Date } = {},
  ): Promise<MergeResult | undefined> {
    const at = options.at ?? this.clock();
    const [survivor, absorbed] = await this.lockLive([a, b], transaction);
    let suggestionId = options.suggestionId;
    if (suggestionId === undefined) {
      const decided = await this.store.byPair(pairKey(survivor.id, absorbed.id), transaction);
      if (decided && decided.status !== 'suggested') return undefined;
      suggestionId = decided?.id;
    }
    const mergeId = await this.store.recordMerge(
      { survivorId: survivor.id, absorbedId: absorbed.id, evidence, cause, decidedBy: options.decidedBy, suggestionId },
      {
        first_touch_source: survivor.first_touch_source,
        first_touch_channel: survivor.first_touch_channel,
        first_touch_at: this.db.parseTime(survivor.first_touch_at)?.toISOString() ?? null,
        last_seen_at: this.db.parseTime(survivor.last_seen_at)?.toISOString() ?? null,
      },
      at,
      transaction,
    );
    await this.rows().move(mergeId, survivor.id, absorbed.id, transaction);

    const earliest = [survivor, absorbed]
      .filter((profile) => profile.first_touch_at !== null)
      .sort(
        (x, y) =>
          (this.db.parseTime(x.first_touch_at)?.getTime() ?? 0) - (this.db.parseTime(y.first_touch_at)?.getTime() ?? 0),
      )[0];
    await this.writeProfiles(
      {
        id: survivor.id,
        source: earliest?.first_touch_source ?? null,
        channel: earliest?.first_touch_channel ?? null,
        firstTouchAt: earliest ? this.db.parseTime(earliest.first_touch_at) : null,
        lastSeenAt: latest(this.db.parseTime(survivor.last_seen_at), this.db.parseTime(absorbed.last_seen_at)),
      },
      { id: absorbed.id, mergedInto: survivor.id },
      at,
      transaction,
    );
    await this.timeline.append(
      {
        profileId: survivor.id,
        type: 'profile_merged',
        channel: null,
        source: 'persona',
        sourceKey: `persona:merge:${mergeId}`,
        occurredAt: at,
        receivedAt: at,
        properties: {
          mergeId,
          survivorId: survivor.id,
          absorbedId: absorbed.id,
          evidence,
          cause,
          decidedBy: options.decidedBy ?? null,
        },
      },
      transaction,
    );
    return { mergeId, survivorId: survivor.id, absorbedId: absorbed.id };
  }

  /** An operator approves a suggested merge: the two profiles (or whatever they were merged into since) merge now. */
  async approve(mergeId: number, actor: string): Promise<MergeResult> {
    return this.db.transaction(async (transaction) => {
      const suggestion = await this.store.suggestion(mergeId, transaction);
      const a = await liveProfileId(this.db, suggestion.survivorId, transaction);
      const b = await liveProfileId(this.db, suggestion.absorbedId, transaction);
      if (a === b)
        throw new ConflictError(
          profilesText('merge.alreadyOne', {
            survivor: String(suggestion.survivorId),
            absorbed: String(suggestion.absorbedId),
            profile: String(a),
          }),
        );
      const at = this.clock();
      const merged = (await this.merge(a, b, suggestion.evidence, suggestion.cause, transaction, {
        decidedBy: actor,
        suggestionId: mergeId,
        at,
      })) as MergeResult;
      await this.store.audit(actor, 'profile.merged', { ...suggestion, ...merged }, at, transaction);
      return merged;
    });
  }

  /** An operator rejects a suggested merge; the pair is not suggested again. */
  async reject(mergeId: number, actor: string): Promise<void> {
    await this.db.transaction(async (transaction) => {
      const suggestion = await this.store.suggestion(mergeId, transaction);
      await this.store.reject(mergeId, actor, transaction);
      await this.store.audit(actor, 'profile.merge_rejected', suggestion, this.clock(), transaction);
    });
  }

  /**
   * Undoes the merge that absorbed `profileId`, or, given a survivor, its only merge. Merges are undone newest first:
   * refused while the survivor has absorbed another profile since, or has itself been merged into another.
   */
  async unmerge(profileId: number, actor: string): Promise<MergeRow> {
    const at = this.clock();
    return this.db.transaction(async (transaction) => {
      const merge = await this.store.activeMergeOf(profileId, transaction);
      const later = await this.store.laterMergeInto(merge, transaction);
      if (later)
        throw new ConflictError(
          profilesText('merge.absorbedLater', { survivor: String(merge.survivorId), later: String(later.absorbedId) }),
        );
      const [survivor] = (await this.lockProfiles([merge.survivorId, merge.absorbedId], transaction)).filter(
        (row) => row.id === merge.survivorId,
      );
      if (survivor?.merged_into) {
        throw new ConflictError(
          profilesText('merge.survivorMerged', {
            survivor: String(merge.survivorId),
            into: String(survivor.merged_into),
          }),
        );
      }
      await this.rows().restore(merge.id, merge.survivorId, merge.absorbedId, transaction);
      const before = merge.survivorBefore;
      const lastEvent = await lastOutsideEventAt(this.db, merge.survivorId, transaction);
      await this.writeProfiles(
        {
          id: merge.survivorId,
          source: before?.first_touch_source ?? null,
          channel: before?.first_touch_channel ?? null,
          firstTouchAt: before?.first_touch_at ? new Date(before.first_touch_at) : null,
          lastSeenAt: latest(before?.last_seen_at ? new Date(before.last_seen_at) : null, lastEvent),
        },
        { id: merge.absorbedId, mergedInto: null },
        at,
        transaction,
      );
      await this.store.markUnmerged(merge, actor, at, transaction);
      for (const id of [merge.survivorId, merge.absorbedId]) {
        await this.timeline.append(
          {
            profileId: id,
            type: 'profile_unmerged',
            channel: null,
            source: 'persona',
            sourceKey: `persona:unmerge:${merge.id}:${id}`,
            occurredAt: at,
            receivedAt: at,
            properties: {
              mergeId: merge.id,
              survivorId: merge.survivorId,
              absorbedId: merge.absorbedId,
              decidedBy: actor,
            },
          },
          transaction,
        );
      }
      await this.store.audit(actor, 'profile.unmerged', merge, at, transaction);
      return { ...merge, status: 'unmerged' };
    });
  }

  /** The survivor's own columns after a merge or an unmerge, and the absorbed profile's pointer (null: live again). */
  private async writeProfiles(
    survivor: {
      id: number;
      source: string | null;
      channel: string | null;
      firstTouchAt: Date | null;
      lastSeenAt: Date | null;
    },
    absorbed: { id: number; mergedInto: number | null },
    at: Date,
    transaction: Transaction,
  ): Promise<void> {
    await this.db.execute(
      `UPDATE profiles SET first_touch_source = :source, first_touch_channel = :channel, first_touch_at = :firstTouchAt,
         last_seen_at = :lastSeenAt, updated_at = :at WHERE id = :id`,
      { ...survivor, at },
      transaction,
    );
    await this.db.execute(
      'UPDATE profiles SET merged_into = ?, updated_at = ? WHERE id = ?',
      [absorbed.mergedInto, at, absorbed.id],
      transaction,
    );
  }

  /** Both profiles, locked in id order (so two merges can't deadlock), survivor (the older) first; both must be live. */
  private async lockLive(ids: number[], transaction: Transaction): Promise<[ProfileColumns, ProfileColumns]> {
    const rows = await this.lockProfiles(ids, transaction);
    if (rows.length !== 2 || rows.some((row) => row.merged_into !== null || row.erased_at !== null)) {
      throw new ConflictError(
        profilesText('merge.notBothLive', {
          ids: ids.join(' and '),
          idsZh: ids.map((id) => `#${id}`).join(' 和 '),
        }),
      );
    }
    return [rows[0], rows[1]];
  }

  private async lockProfiles(ids: number[], transaction: Transaction): Promise<ProfileColumns[]> {
    const rows = await this.db.select<ProfileColumns>(
      `SELECT id, merged_into, erased_at, first_touch_source, first_touch_channel, first_touch_at, last_seen_at
         FROM profiles WHERE id IN (:ids) ORDER BY id${this.db.forUpdate}`,
      { ids },
      transaction,
    );
    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      merged_into: row.merged_into === null ? null : Number(row.merged_into),
    }));
  }

  /** The row mover, over every room's merge spec (all registered once the modules are built). */
  private rows(): MergeRows {
    this.mergeRows ??= new MergeRows(this.db, this.personData.mergeSpecs());
    return this.mergeRows;
  }
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
