import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { StoredIdentity } from './identity-mentions';

/** Whom a request is about: their profiles (the live one and every one merged into it) and every identity they held. */
export interface Person {
  profileIds: readonly number[];
  identities: readonly StoredIdentity[];
}

/** A person's rows in one table, as stored (JSON columns as their text, times in ISO 8601). */
export type PersonRows = Record<string, unknown>[];

/** A row's columns but its id and owner, as a merge compares and writes them. */
export type RowContents = Record<string, unknown>;

/** A table with one row per profile and `key` (a tag's name, an attribute's name, a follow's account). */
export interface KeyedMerge {
  table: string;
  key: string;
  /** Columns the database computes from the others: read with the row, never written. */
  generated?: readonly string[];
  /**
   * The survivor's contents when both profiles hold the key (rows whole, as stored); undefined keeps the survivor's.
   * Without it the survivor's row stays as it is.
   */
  merged?(survivor: Record<string, unknown>, absorbed: Record<string, unknown>): RowContents | undefined;
}

/** How a merge treats a handler's tables; `MergeRows` records every row it moves or rewrites, so unmerge is exact. */
export interface MergeSpec {
  /** Tables whose rows move whole to the survivor. */
  moved?: readonly string[];
  /** Rows derived from a moved table's rows that carry the owner too (`column` names the row): they move with it. */
  derived?: readonly { of: string; table: string; column: string }[];
  /** Tables with a row per profile and key: the absorbed profile's row moves where the survivor has none. */
  keyed?: readonly KeyedMerge[];
}

/**
 * A room's part in what Persona keeps about a person. Each room that stores data about people registers one, naming
 * its tables: exporting a person (`GET /api/profiles/:id/export`, the right of access) asks every handler for its
 * rows, erasing one (`ProfileEraser`) asks every handler to erase them, in the order they are registered, and merging
 * two profiles (`ProfileMerger`) moves each handler's rows as its `merge` says. Every table with a profile column must
 * be some handler's (a test reads the database's catalogue).
 */
export interface PersonDataHandler {
  /** The room or concern, for receipts and errors. */
  readonly name: string;
  /** The tables it answers for. */
  readonly tables: readonly string[];
  /** The person's rows in each of its tables. */
  export(person: Person, transaction?: Transaction): Promise<Record<string, PersonRows>>;
  /** How its rows follow a merge (none: they stay with the profile they name, as a merge's own records do). */
  readonly merge?: MergeSpec;
  /** Removes or pseudonymises what it keeps about them, in the erasure's transaction (none: nothing to erase). */
  erase?(person: Person, transaction: Transaction): Promise<void>;
  /** Handlers whose rows this one's erasure finds its own by: it erases before them. */
  readonly erasesBefore?: readonly string[];
}

/**
 * Every room's person-data handler, as the modules register them. The profiles room's own handler comes last in
 * every erasure (the others find their rows by the person's identities); the rest keep their registration order,
 * but for a handler that `erasesBefore` another.
 */
export class PersonDataRegistry {
  private readonly handlers: PersonDataHandler[] = [];

  constructor(private readonly owner: PersonDataHandler) {}

  register(handler: PersonDataHandler): void {
    if (handler.name === this.owner.name || this.handlers.some((known) => known.name === handler.name))
      throw new Error(`person-data handler ${handler.name} is registered twice`);
    this.handlers.push(handler);
  }

  /** Every handler, in the order erasure runs them. */
  list(): readonly PersonDataHandler[] {
    const ordered: PersonDataHandler[] = [];
    const visit = (handler: PersonDataHandler, path: readonly string[]) => {
      if (ordered.includes(handler)) return;
      if (path.includes(handler.name)) throw new Error(`person-data handlers erase in a circle: ${path.join(' → ')}`);
      for (const earlier of this.handlers)
        if (earlier.erasesBefore?.includes(handler.name)) visit(earlier, [...path, handler.name]);
      ordered.push(handler);
    };
    for (const handler of this.handlers) visit(handler, []);
    return [...ordered, this.owner];
  }

  mergeSpecs(): MergeSpec[] {
    return this.list().flatMap((handler) => (handler.merge ? [handler.merge] : []));
  }
}

/** `SELECT *` of `table` where `column` is one of the person's profiles (table and column are the handler's own names). */
export function rowsOfProfiles(
  db: Database,
  table: string,
  column: string,
  person: Person,
  transaction?: Transaction,
): Promise<PersonRows> {
  return db.select<Record<string, unknown>>(
    `SELECT * FROM ${table} WHERE ${column} IN (:profileIds) ORDER BY 1`,
    { profileIds: person.profileIds },
    transaction,
  );
}
