import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { KeyedMerge, MergeSpec } from './person-data';

type Row = Record<string, unknown> & { id: number; profile_id: number };
/** A row's contents: every column but the id, the owner and the key, in the form each dialect stores. */
type Contents = Record<string, unknown>;

interface StoredMove {
  id: number;
  kind: 'move' | 'swap';
  table_name: string;
  row_id: number;
  other_row_id: number | null;
  original: string | null;
}

/** What a swap found and left, so unmerge can put both rows back and tell whether the survivor's changed since. */
interface SwapRecord {
  survivor: Contents;
  absorbed: Contents;
  merged: Contents;
}

const chunk = 500;

/**
 * The row-level half of a merge, over the tables the rooms' handlers name (`MergeSpec`): every row moved or rewritten
 * is recorded in `merge_moves` (with the original contents of rewritten rows), so `restore` can put each back. Reads
 * lock what they read: a concurrent writer's newest row is never missed or overwritten. Writes address rows by id
 * (never by subquery), so they lock only those rows. Rows moved whole move first, then keyed ones.
 */
export class MergeRows {
  private readonly movedTables: readonly string[];
  private readonly derivedRows = new Map<string, { table: string; column: string }[]>();
  private readonly keyedTables = new Map<string, KeyedMerge>();

  constructor(
    private readonly db: Database,
    specs: readonly MergeSpec[],
  ) {
    this.movedTables = specs.flatMap((spec) => spec.moved ?? []);
    for (const spec of specs) {
      for (const derived of spec.derived ?? []) {
        this.derivedRows.set(derived.of, [...(this.derivedRows.get(derived.of) ?? []), derived]);
      }
      for (const keyed of spec.keyed ?? []) this.keyedTables.set(keyed.table, keyed);
    }
  }

  async move(mergeId: number, survivorId: number, absorbedId: number, transaction: Transaction): Promise<void> {
    for (const table of this.movedTables) {
      const rows = await this.db.select<{ id: number }>(
        `SELECT id FROM ${table} WHERE profile_id = ?${this.db.forUpdate}`,
        [absorbedId],
        transaction,
      );
      await this.recordAndMove(
        mergeId,
        table,
        rows.map((row) => Number(row.id)),
        survivorId,
        transaction,
      );
    }
    for (const [table, { key, merged: mergedOf }] of this.keyedTables) {
      const rows = await this.db.select<Row>(
        `SELECT * FROM ${table} WHERE profile_id IN (?, ?) ORDER BY id${this.db.forUpdate}`,
        [survivorId, absorbedId],
        transaction,
      );
      const held = new Map(
        rows.filter((row) => Number(row.profile_id) === survivorId).map((row) => [String(row[key]), row]),
      );
      const moving: number[] = [];
      for (const row of rows.filter((candidate) => Number(candidate.profile_id) === absorbedId)) {
        const survivorRow = held.get(String(row[key]));
        if (!survivorRow) {
          moving.push(Number(row.id));
          continue;
        }
        const merged = mergedOf?.(survivorRow, row);
        if (!merged) continue;
        const record: SwapRecord = {
          survivor: this.contents(table, survivorRow),
          absorbed: this.contents(table, row),
          merged: this.contents(table, { ...merged, id: survivorRow.id, profile_id: survivorRow.profile_id }),
        };
        if (sameContents(record.merged, record.survivor)) continue;
        await this.db.execute(
          "INSERT INTO merge_moves (merge_id, kind, table_name, row_id, other_row_id, original) VALUES (?, 'swap', ?, ?, ?, ?)",
          [mergeId, table, Number(survivorRow.id), Number(row.id), JSON.stringify(record)],
          transaction,
        );
        // The absorbed row keeps the survivor's old contents, the survivor's row takes the merged ones.
        await this.write(table, Number(row.id), record.survivor, transaction);
        await this.write(table, Number(survivorRow.id), record.merged, transaction);
      }
      await this.recordAndMove(mergeId, table, moving, survivorId, transaction);
    }
  }

  /**
   * Puts back what `move` recorded: moved rows return to the absorbed profile, swapped rows get their own contents
   * back, except that a survivor row changed since the merge keeps its newer contents.
   */
  async restore(mergeId: number, survivorId: number, absorbedId: number, transaction: Transaction): Promise<void> {
    const moves = await this.db.select<StoredMove>(
      `SELECT id, kind, table_name, row_id, other_row_id, original FROM merge_moves WHERE merge_id = ? ORDER BY id${this.db.forUpdate}`,
      [mergeId],
      transaction,
    );
    for (const swap of moves.filter((move) => move.kind === 'swap').reverse()) {
      const table = this.knownTable(swap.table_name);
      const record = JSON.parse(swap.original ?? '{}') as SwapRecord;
      await this.write(table, Number(swap.other_row_id), record.absorbed, transaction);
      const [current] = await this.db.select<Row>(
        `SELECT * FROM ${table} WHERE id = ?${this.db.forUpdate}`,
        [Number(swap.row_id)],
        transaction,
      );
      if (current && sameContents(this.contents(table, current), record.merged)) {
        await this.write(table, Number(swap.row_id), record.survivor, transaction);
      }
    }
    const byTable = new Map<string, number[]>();
    for (const move of moves.filter((candidate) => candidate.kind === 'move')) {
      byTable.set(move.table_name, [...(byTable.get(move.table_name) ?? []), Number(move.row_id)]);
    }
    for (const [table, ids] of byTable) {
      for (let start = 0; start < ids.length; start += chunk) {
        const values = { absorbedId, survivorId, ids: ids.slice(start, start + chunk) };
        await this.db.execute(
          `UPDATE ${this.knownTable(table)} SET profile_id = :absorbedId WHERE id IN (:ids) AND profile_id = :survivorId`,
          values,
          transaction,
        );
        for (const derived of this.derivedRows.get(table) ?? []) {
          await this.db.execute(
            `UPDATE ${derived.table} SET profile_id = :absorbedId WHERE ${derived.column} IN (:ids) AND profile_id = :survivorId`,
            values,
            transaction,
          );
        }
      }
    }
  }

  private async recordAndMove(
    mergeId: number,
    table: string,
    ids: number[],
    survivorId: number,
    transaction: Transaction,
  ): Promise<void> {
    for (let start = 0; start < ids.length; start += chunk) {
      const part = ids.slice(start, start + chunk);
      await this.db.execute(
        `INSERT INTO merge_moves (merge_id, kind, table_name, row_id) VALUES ${part.map(() => "(?, 'move', ?, ?)").join(', ')}`,
        part.flatMap((id) => [mergeId, table, id]),
        transaction,
      );
      await this.db.execute(
        `UPDATE ${table} SET profile_id = :survivorId WHERE id IN (:part)`,
        { survivorId, part },
        transaction,
      );
      for (const derived of this.derivedRows.get(table) ?? []) {
        await this.db.execute(
          `UPDATE ${derived.table} SET profile_id = :survivorId WHERE ${derived.column} IN (:part)`,
          { survivorId, part },
          transaction,
        );
      }
    }
  }

  private async write(table: string, id: number, contents: Contents, transaction: Transaction): Promise<void> {
    const columns = Object.keys(contents);
    if (columns.length === 0) return;
    await this.db.execute(
      `UPDATE ${table} SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`,
      [...columns.map((column) => contents[column]), id],
      transaction,
    );
  }

  private contents(table: string, row: Row): Contents {
    const keyed = this.keyedTables.get(table);
    const { id: _id, profile_id: _profileId, ...rest } = row;
    if (keyed) delete rest[keyed.key];
    for (const column of keyed?.generated ?? []) delete rest[column];
    return this.normalize(rest);
  }

  /** Table names in `merge_moves` are only ever written from the handlers' lists; anything else is refused, not run. */
  private knownTable(name: string): string {
    if (this.movedTables.includes(name) || this.keyedTables.has(name)) return name;
    throw new Error(`merge_moves names an unknown table "${name}"`);
  }

  /** Values as each dialect stores them (times as text), so they compare and write back alike. */
  private normalize(contents: Contents): Contents {
    return Object.fromEntries(
      Object.entries(contents)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([column, value]) => [column, value instanceof Date ? this.db.formatTime(value) : value]),
    );
  }
}

function sameContents(a: Contents, b: Contents): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
