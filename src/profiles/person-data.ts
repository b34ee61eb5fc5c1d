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
