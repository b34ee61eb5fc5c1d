import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { WriteCoalescer } from '../db/write-coalescer';

/** One inbox row as written: source, source_key, payload, available_at, received_at. */
export type InboxRow = [string, string, string, Date, Date];

/** 5 placeholders a row: 500 rows stay far below SQLite's and MySQL's placeholder limits. */
const rowsPerStatement = 500;

/** A shared statement stored some rows and skipped others: who owned which can't be told from its count alone. */
class MixedOutcome extends Error {}

/**
 * The inbox's insert: rows whose source key the inbox already holds are skipped (INSERT IGNORE), concurrent writes
 * share statements (group commit), and each write learns how many of its own rows were new, which is what tells a
 * caller's retry from new data.
 *
 * A statement's count of inserted rows is exact under any concurrency (the unique key decides), but it is one count for
 * everyone sharing it. So writes gathered together go in one statement inside a transaction: when every row was new,
 * or none was, that is true of each write too, and it commits. Only when some were new and some known is the
 * transaction rolled back and the writes inserted again one statement each, still in one transaction.
 */
export class InboxWriter {
  private readonly coalescer: WriteCoalescer<InboxRow, number>;

  constructor(private readonly db: Database) {
    this.coalescer = new WriteCoalescer((writes) => this.store(writes), rowsPerStatement);
  }

  /** Durable when it resolves; answers how many of `rows` were new (the rest were in the inbox already). */
  insert(rows: InboxRow[]): Promise<number> {
    return rows.length === 0 ? Promise.resolve(0) : this.coalescer.write(rows);
  }

  private async store(writes: InboxRow[][]): Promise<number[]> {
    // Alone, a write's statements count its own rows: no transaction needed.
    if (writes.length === 1) return [await this.insertRows(writes[0])];
    try {
      return await this.db.transaction(async (transaction) => {
        const rows = writes.flat();
        const inserted = await this.insertRows(rows, transaction);
        if (inserted === rows.length) return writes.map((write) => write.length);
        if (inserted === 0) return writes.map(() => 0);
        throw new MixedOutcome();
      });
    } catch (error) {
      if (!(error instanceof MixedOutcome)) throw error;
    }
    return this.db.transaction(async (transaction) => {
      const counts: number[] = [];
      for (const write of writes) counts.push(await this.insertRows(write, transaction));
      return counts;
    });
  }

  private async insertRows(rows: readonly InboxRow[], transaction?: Transaction): Promise<number> {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const part = rows.slice(start, start + rowsPerStatement);
      inserted += await this.db.execute(
        `${this.db.insertIgnoreInto} inbox (source, source_key, payload, status, attempts, available_at, received_at) VALUES ${part
          .map(() => "(?, ?, ?, 'pending', 0, ?, ?)")
          .join(', ')}`,
        part.flat(),
        transaction,
      );
    }
    return inserted;
  }
}
