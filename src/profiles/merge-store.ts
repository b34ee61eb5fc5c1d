import type { Transaction } from 'sequelize';
import { recordAudit } from '../audit/audit-log';
import type { Database } from '../db/database';
import { ConflictError, NotFoundError, ValidationError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';
import type { MergeEvidence } from './merge-evidence';
import type { Clock } from '../util/clock';
import { Keyset, type Page, type PageRequest } from '../util/paging';
import type { Replacements } from '../db/sql-statement';

export type MergeStatus = 'suggested' | 'merged' | 'unmerged' | 'rejected';

/** `GET /api/merges`: newest first by id. */
const mergePages = new Keyset<{ id: number }>({
  list: 'merges',
  keys: [{ column: 'id', kind: 'id' }],
  direction: 'desc',
  keyOf: (row) => [row.id],
});

/** The survivor's own columns before the merge, restored by unmerge. */
export interface SurvivorBefore {
  first_touch_source: string | null;
  first_touch_channel: string | null;
  first_touch_at: string | null;
  last_seen_at: string | null;
}

export interface MergeRow {
  id: number;
  survivorId: number;
  absorbedId: number;
  status: MergeStatus;
  evidence: MergeEvidence;
  cause: string;
  createdAt: string;
  mergedAt: string | null;
  unmergedAt: string | null;
  decidedBy: string | null;
  survivorBefore: SurvivorBefore | null;
}

interface StoredMerge {
  id: number;
  survivor_id: number;
  absorbed_id: number;
  status: MergeStatus;
  evidence: string;
  cause: string;
  survivor_before: string | null;
  created_at: unknown;
  merged_at: unknown;
  unmerged_at: unknown;
  decided_by: string | null;
}

/** Two profiles as a pair, whichever order they come in. */
export function pairKey(a: number, b: number): string {
  return `${Math.min(a, b)}:${Math.max(a, b)}`;
}

/** Merge records and their row-by-row moves: the bookkeeping behind merge, unmerge and suggestions. */
export class MergeStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** A done merge, new or approving a suggestion (which then stops blocking the pair). */
  async recordMerge(
    merge: {
      survivorId: number;
      absorbedId: number;
      evidence: MergeEvidence;
      cause: string;
      decidedBy?: string;
      suggestionId?: number;
    },
    survivorBefore: SurvivorBefore,
    at: Date,
    transaction: Transaction,
  ): Promise<number> {
    const values = {
      survivor: merge.survivorId,
      absorbed: merge.absorbedId,
      evidence: JSON.stringify(merge.evidence),
      cause: merge.cause.slice(0, 191),
      before: JSON.stringify(survivorBefore),
      decidedBy: merge.decidedBy ?? null,
      at,
    };
    if (merge.suggestionId !== undefined) {
      await this.db.execute(
        `UPDATE merges SET status = 'merged', pair_key = NULL, survivor_id = :survivor, absorbed_id = :absorbed,
           survivor_before = :before, merged_at = :at, decided_by = :decidedBy WHERE id = :id`,
        { ...values, id: merge.suggestionId },
        transaction,
      );
      return merge.suggestionId;
    }
    return this.db.insert(
      `INSERT INTO merges (survivor_id, absorbed_id, status, evidence, cause, survivor_before, created_at, merged_at, decided_by)
       VALUES (:survivor, :absorbed, 'merged', :evidence, :cause, :before, :at, :at, :decidedBy)`,
      values,
      transaction,
    );
  }

  /** A merge for an operator to approve; a pair already suggested (or rejected) is not suggested again. */
  async suggest(
    survivorId: number,
    absorbedId: number,
    evidence: MergeEvidence,
    cause: string,
    transaction: Transaction,
  ): Promise<void> {
    await this.db.execute(
      `${this.db.insertIgnoreInto} merges (survivor_id, absorbed_id, status, pair_key, evidence, cause, created_at)
       VALUES (?, ?, 'suggested', ?, ?, ?, ?)`,
      [
        survivorId,
        absorbedId,
        pairKey(survivorId, absorbedId),
        JSON.stringify(evidence),
        cause.slice(0, 191),
        this.clock(),
      ],
      transaction,
    );
  }

  /** The merge record of a pair (suggested, rejected or unmerged: the operator's decision about it), locked. */
  async byPair(key: string, transaction: Transaction): Promise<{ id: number; status: MergeStatus } | undefined> {
    const [row] = await this.db.select<{ id: number; status: MergeStatus }>(
      `SELECT id, status FROM merges WHERE pair_key = ?${this.db.forUpdate}`,
      [key],
      transaction,
    );
    return row ? { id: Number(row.id), status: row.status } : undefined;
  }

  /** A merge into the same survivor done after `merge` and still standing. */
  async laterMergeInto(merge: MergeRow, transaction: Transaction): Promise<MergeRow | undefined> {
    const [later] = await this.select(
      "WHERE survivor_id = ? AND status = 'merged' AND id > ? ORDER BY id DESC LIMIT 1",
      [merge.survivorId, merge.id],
      transaction,
    );
    return later;
  }

  /** The done merge that absorbed `profileId`; else, when `profileId` survived exactly one, that one. */
  async activeMergeOf(profileId: number, transaction: Transaction): Promise<MergeRow> {
    const [absorbedBy] = await this.select(
      `WHERE absorbed_id = ? AND status = 'merged'${this.db.forUpdate}`,
      [profileId],
      transaction,
    );
    if (absorbedBy) return absorbedBy;
    const survived = await this.select(
      `WHERE survivor_id = ? AND status = 'merged' ORDER BY id${this.db.forUpdate}`,
      [profileId],
      transaction,
    );
    if (survived.length === 1) return survived[0];
    if (survived.length > 1) {
      throw new ValidationError(profilesText('merge.severalAbsorbed', { id: String(profileId) }), {
        absorbed: survived.map((merge) => merge.absorbedId),
      });
    }
    throw new NotFoundError(profilesText('merge.none', { id: String(profileId) }));
  }

  /** Undone; the pair is remembered, so the same evidence doesn't merge it again. */
  async markUnmerged(merge: MergeRow, actor: string, at: Date, transaction: Transaction): Promise<void> {
    await this.db.execute(
      "UPDATE merges SET status = 'unmerged', pair_key = ?, unmerged_at = ?, decided_by = ? WHERE id = ?",
      [pairKey(merge.survivorId, merge.absorbedId), at, actor.slice(0, 128), merge.id],
      transaction,
    );
  }

  /** A suggestion, locked for deciding on it. */
  async suggestion(mergeId: number, transaction: Transaction): Promise<MergeRow> {
    const [merge] = await this.select(`WHERE id = ?${this.db.forUpdate}`, [mergeId], transaction);
    if (!merge) throw new NotFoundError(profilesText('merge.notFound', { id: String(mergeId) }));
    if (merge.status !== 'suggested')
      throw new ConflictError(profilesText('merge.notSuggested', { id: String(mergeId), status: merge.status }));
    return merge;
  }

  async reject(mergeId: number, actor: string, transaction: Transaction): Promise<void> {
    await this.db.execute(
      "UPDATE merges SET status = 'rejected', decided_by = ? WHERE id = ?",
      [actor.slice(0, 128), mergeId],
      transaction,
    );
  }

  /** Newest first, a page at a time. */
  async list(status: MergeStatus, request: PageRequest): Promise<Page<MergeRow>> {
    const page = mergePages.clause(request);
    const rows = await this.select(`WHERE status = :status AND ${page.where} ${page.orderAndLimit}`, {
      status,
      ...page.values,
    });
    return mergePages.page(rows, request, (row) => row);
  }

  async audit(actor: string, action: string, merge: MergeRow, at: Date, transaction: Transaction): Promise<void> {
    const details = { survivorId: merge.survivorId, absorbedId: merge.absorbedId };
    await recordAudit(this.db, { actor, action, subject: `merge:${merge.id}`, details, at }, transaction);
  }

  private async select(where: string, values: Replacements, transaction?: Transaction): Promise<MergeRow[]> {
    const rows = await this.db.select<StoredMerge>(
      `SELECT id, survivor_id, absorbed_id, status, evidence, cause, survivor_before, created_at, merged_at, unmerged_at, decided_by
         FROM merges ${where}`,
      values,
      transaction,
    );
    const time = (value: unknown) => this.db.parseTime(value)?.toISOString() ?? null;
    return rows.map((row) => ({
      id: Number(row.id),
      survivorId: Number(row.survivor_id),
      absorbedId: Number(row.absorbed_id),
      status: row.status,
      evidence: JSON.parse(row.evidence) as MergeEvidence,
      cause: row.cause,
      createdAt: time(row.created_at) ?? '',
      mergedAt: time(row.merged_at),
      unmergedAt: time(row.unmerged_at),
      decidedBy: row.decided_by,
      survivorBefore: row.survivor_before ? (JSON.parse(row.survivor_before) as SurvivorBefore) : null,
    }));
  }
}
