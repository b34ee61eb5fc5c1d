import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { ConflictError } from '../errors/conflict.error';
import type { TimelineService } from '../timeline/timeline.service';
import type { AttributeValue } from './attribute-catalog';
import type { AttributeHolding } from './attribute.service';
import type { Identity } from './identity';
import { liveProfileId } from './live-profile';
import { type MergeRow, MergeStore } from './merge-store';

/** What made two profiles one person: identities of one event (or one operator's word) found on both. */
export type MergeEvidence = (Identity & { profileId: number })[];

/** Decides, for an attribute both profiles hold, whether the absorbed profile's value should win. */
export type AttributeArbiter = (name: string, survivor: AttributeHolding, absorbed: AttributeHolding) => boolean;

/**
 * Tables whose rows belong to a profile and move with a merge. Identities and events always move; tags,
 * attributes and follow state move unless the survivor has a row for the same tag, attribute or account, in which
 * case the better row's contents end up on the survivor (a swap) and the other stays behind on the absorbed profile.
 */
const keyedTables = {
  tags: 'name',
  attributes: 'name',
  subscriptions: 'account',
} as const;

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
 * Survivor rule: the older profile (the lower id) survives. Every row moved or swapped is recorded in
 * `merge_moves`, the survivor's own columns before the merge are kept on the merge, and the absorbed profile
 * becomes a pointer to the survivor. Unmerge plays the record backwards. Events, identities and attribute values
 * that reached the survivor after the merge stay with it.
 */
export class ProfileMerger {
  readonly store: MergeStore;

  constructor(
    private readonly db: Database,
    private readonly timeline: TimelineService,
    private readonly absorbedWins: AttributeArbiter,
  ) {
    this.store = new MergeStore(db);
  }

  /** Merges inside the caller's transaction; answers the merge id. */
  async merge(
    a: number,
    b: number,
    evidence: MergeEvidence,
    cause: string,
    transaction: Transaction,
    options: { decidedBy?: string; suggestionId?: number; at?: Date } = {},
  ): Promise<{ mergeId: number; survivorId: number; absorbedId: number }> {
    const at = options.at ?? new Date();
    const [survivor, absorbed] = await this.lockLive([a, b], transaction);
    const mergeId = await this.store.recordMerge(
      { survivorId: survivor.id, absorbedId: absorbed.id, evidence, cause, decidedBy: options.decidedBy, suggestionId: options.suggestionId },
      {
        first_touch_source: survivor.first_touch_source,
        first_touch_channel: survivor.first_touch_channel,
        first_touch_at: this.db.parseTime(survivor.first_touch_at)?.toISOString() ?? null,
        last_seen_at: this.db.parseTime(survivor.last_seen_at)?.toISOString() ?? null,
      },
      at,
      transaction,
    );
    const ids = { merge: mergeId, survivor: survivor.id, absorbed: absorbed.id };
    for (const table of ['identities', 'events'] as const) {
      await this.db.execute(
        `INSERT INTO merge_moves (merge_id, kind, table_name, row_id)
         SELECT :merge, 'move', '${table}', id FROM ${table} WHERE profile_id = :absorbed`,
        ids,
        transaction,
      );
    }
    for (const [table, key] of Object.entries(keyedTables)) await this.planKeyed(table, key, ids, transaction);
    await this.applyMoves(mergeId, survivor.id, transaction);

    const firstTouchAt = [survivor, absorbed]
      .filter((profile) => profile.first_touch_at !== null)
      .sort((x, y) => (this.db.parseTime(x.first_touch_at)?.getTime() ?? 0) - (this.db.parseTime(y.first_touch_at)?.getTime() ?? 0))[0];
    await this.db.execute(
      `UPDATE profiles SET first_touch_source = :source, first_touch_channel = :channel, first_touch_at = :firstTouchAt,
         last_seen_at = :lastSeenAt, updated_at = :at WHERE id = :survivor`,
      {
        survivor: survivor.id,
        source: firstTouchAt?.first_touch_source ?? null,
        channel: firstTouchAt?.first_touch_channel ?? null,
        firstTouchAt: firstTouchAt ? this.db.parseTime(firstTouchAt.first_touch_at) : null,
        lastSeenAt: latest(this.db.parseTime(survivor.last_seen_at), this.db.parseTime(absorbed.last_seen_at)),
        at,
      },
      transaction,
    );
    await this.db.execute('UPDATE profiles SET merged_into = ?, updated_at = ? WHERE id = ?', [survivor.id, at, absorbed.id], transaction);
    await this.timeline.append(
      {
        profileId: survivor.id,
        type: 'profile_merged',
        channel: null,
        source: 'persona',
        sourceKey: `persona:merge:${mergeId}`,
        occurredAt: at,
        receivedAt: at,
        properties: { mergeId, survivorId: survivor.id, absorbedId: absorbed.id, evidence, cause, decidedBy: options.decidedBy ?? null },
      },
      transaction,
    );
    return { mergeId, survivorId: survivor.id, absorbedId: absorbed.id };
  }

  /** An operator approves a suggested merge: the two profiles (or whatever they were merged into since) merge now. */
  async approve(mergeId: number, actor: string): Promise<{ mergeId: number; survivorId: number; absorbedId: number }> {
    return this.db.transaction(async (transaction) => {
      const suggestion = await this.store.suggestion(mergeId, transaction);
      const a = await liveProfileId(this.db, suggestion.survivorId, transaction);
      const b = await liveProfileId(this.db, suggestion.absorbedId, transaction);
      if (a === b) throw new ConflictError(`profiles ${suggestion.survivorId} and ${suggestion.absorbedId} are already one profile (${a})`);
      const at = new Date();
      const merged = await this.merge(a, b, suggestion.evidence, suggestion.cause, transaction, { decidedBy: actor, suggestionId: mergeId, at });
      await this.store.audit(actor, 'profile.merged', { ...suggestion, ...merged }, at, transaction);
      return merged;
    });
  }

  /** An operator rejects a suggested merge; the pair is not suggested again. */
  async reject(mergeId: number, actor: string): Promise<void> {
    await this.db.transaction(async (transaction) => {
      const suggestion = await this.store.suggestion(mergeId, transaction);
      await this.store.reject(mergeId, actor, transaction);
      await this.store.audit(actor, 'profile.merge_rejected', suggestion, new Date(), transaction);
    });
  }

  /**
   * Undoes the merge that absorbed `profileId`, or, given a survivor, its only merge. Refused while the survivor is
   * itself merged into another profile (undo that one first).
   */
  async unmerge(profileId: number, actor: string): Promise<MergeRow> {
    const at = new Date();
    return this.db.transaction(async (transaction) => {
      const merge = await this.store.activeMergeOf(profileId, transaction);
      const [survivor] = await this.lockProfiles([merge.survivorId, merge.absorbedId], transaction).then((rows) =>
        rows.filter((row) => row.id === merge.survivorId),
      );
      if (survivor?.merged_into) {
        throw new ConflictError(`profile ${merge.survivorId} has since been merged into profile ${survivor.merged_into}: unmerge that first`);
      }
      const moves = await this.store.movesOf(merge.id, transaction);
      for (const swap of moves.filter((move) => move.kind === 'swap').reverse()) {
        await this.swap(swap.table_name, Number(swap.row_id), Number(swap.other_row_id), transaction);
      }
      for (const table of new Set(moves.filter((move) => move.kind === 'move').map((move) => move.table_name))) {
        await this.db.execute(
          `UPDATE ${table} SET profile_id = :absorbed
            WHERE id IN (SELECT row_id FROM merge_moves WHERE merge_id = :merge AND kind = 'move' AND table_name = :table)`,
          { absorbed: merge.absorbedId, merge: merge.id, table },
          transaction,
        );
      }
      const before = merge.survivorBefore;
      const [{ lastEvent }] = await this.db.select<{ lastEvent: unknown }>(
        "SELECT MAX(occurred_at) AS lastEvent FROM events WHERE profile_id = ? AND source <> 'persona'",
        [merge.survivorId],
        transaction,
      );
      await this.db.execute(
        `UPDATE profiles SET first_touch_source = :source, first_touch_channel = :channel, first_touch_at = :firstTouchAt,
           last_seen_at = :lastSeenAt, updated_at = :at WHERE id = :survivor`,
        {
          survivor: merge.survivorId,
          source: before?.first_touch_source ?? null,
          channel: before?.first_touch_channel ?? null,
          firstTouchAt: before?.first_touch_at ? new Date(before.first_touch_at) : null,
          lastSeenAt: latest(before?.last_seen_at ? new Date(before.last_seen_at) : null, this.db.parseTime(lastEvent)),
          at,
        },
        transaction,
      );
      await this.db.execute('UPDATE profiles SET merged_into = NULL, updated_at = ? WHERE id = ?', [at, merge.absorbedId], transaction);
      await this.store.markUnmerged(merge.id, actor, at, transaction);
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
            properties: { mergeId: merge.id, survivorId: merge.survivorId, absorbedId: merge.absorbedId, decidedBy: actor },
          },
          transaction,
        );
      }
      await this.store.audit(actor, 'profile.unmerged', merge, at, transaction);
      return { ...merge, status: 'unmerged' };
    });
  }

  /**
   * Rows of a keyed table: the absorbed profile's rows for keys the survivor lacks move; for keys both hold, the
   * absorbed row's contents are swapped onto the survivor when they are better.
   */
  private async planKeyed(
    table: string,
    key: string,
    ids: { merge: number; survivor: number; absorbed: number },
    transaction: Transaction,
  ): Promise<void> {
    const rows = await this.db.select<Record<string, unknown> & { id: number; profile_id: number }>(
      `SELECT * FROM ${table} WHERE profile_id IN (:survivor, :absorbed)`,
      ids,
      transaction,
    );
    const survivorRows = new Map(rows.filter((row) => Number(row.profile_id) === ids.survivor).map((row) => [String(row[key]), row]));
    for (const row of rows.filter((candidate) => Number(candidate.profile_id) === ids.absorbed)) {
      const held = survivorRows.get(String(row[key]));
      if (!held) {
        await this.store.recordMove(ids.merge, 'move', table, Number(row.id), null, transaction);
      } else if (this.absorbedRowWins(table, held, row)) {
        await this.store.recordMove(ids.merge, 'swap', table, Number(held.id), Number(row.id), transaction);
      }
    }
  }

  private absorbedRowWins(table: string, held: Record<string, unknown>, row: Record<string, unknown>): boolean {
    if (table === 'attributes') {
      return this.absorbedWins(
        String(row.name),
        { value: JSON.parse(String(held.value)) as AttributeValue, source: String(held.source), updatedAt: this.db.parseTime(held.updated_at) },
        { value: JSON.parse(String(row.value)) as AttributeValue, source: String(row.source), updatedAt: this.db.parseTime(row.updated_at) },
      );
    }
    // Follow state: the more recent change is the truth. Tags: the survivor's row stands.
    if (table === 'subscriptions') {
      return (this.db.parseTime(row.changed_at)?.getTime() ?? 0) > (this.db.parseTime(held.changed_at)?.getTime() ?? 0);
    }
    return false;
  }

  private async applyMoves(mergeId: number, survivorId: number, transaction: Transaction): Promise<void> {
    const moves = await this.store.movesOf(mergeId, transaction);
    for (const table of new Set(moves.filter((move) => move.kind === 'move').map((move) => move.table_name))) {
      await this.db.execute(
        `UPDATE ${table} SET profile_id = :survivor
          WHERE id IN (SELECT row_id FROM merge_moves WHERE merge_id = :merge AND kind = 'move' AND table_name = :table)`,
        { survivor: survivorId, merge: mergeId, table },
        transaction,
      );
    }
    for (const swap of moves.filter((move) => move.kind === 'swap')) {
      await this.swap(swap.table_name, Number(swap.row_id), Number(swap.other_row_id), transaction);
    }
  }

  /** Exchanges everything but the id, the owner and the key between two rows of one table (its own inverse). */
  private async swap(table: string, rowId: number, otherRowId: number, transaction: Transaction): Promise<void> {
    const rows = await this.db.select<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id IN (?, ?)`, [rowId, otherRowId], transaction);
    const first = rows.find((row) => Number(row.id) === rowId);
    const second = rows.find((row) => Number(row.id) === otherRowId);
    if (!first || !second) return; // one of them is gone since (cleared later): nothing to exchange
    const columns = Object.keys(first).filter((column) => !['id', 'profile_id', keyedTables[table as keyof typeof keyedTables]].includes(column));
    const assign = columns.map((column) => `${column} = ?`).join(', ');
    await this.db.execute(`UPDATE ${table} SET ${assign} WHERE id = ?`, [...columns.map((column) => second[column]), rowId], transaction);
    await this.db.execute(`UPDATE ${table} SET ${assign} WHERE id = ?`, [...columns.map((column) => first[column]), otherRowId], transaction);
  }

  /** Both profiles, locked in id order (so two merges can't deadlock), survivor (the older) first; both must be live. */
  private async lockLive(ids: number[], transaction: Transaction): Promise<[ProfileColumns, ProfileColumns]> {
    const rows = await this.lockProfiles(ids, transaction);
    if (rows.length !== 2 || rows.some((row) => row.merged_into !== null || row.erased_at !== null)) {
      throw new ConflictError(`profiles ${ids.join(' and ')} are not both live profiles: they can't be merged`);
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
    return rows.map((row) => ({ ...row, id: Number(row.id), merged_into: row.merged_into === null ? null : Number(row.merged_into) }));
  }
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
