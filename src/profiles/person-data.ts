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

/**
 * A room's part in what Persona keeps about a person. Each room that stores data about people registers one, naming
 * its tables: exporting a person (`GET /api/profiles/:id/export`, the right of access) asks every handler for its
 * rows, and erasing one (`ProfileEraser`) asks every handler to erase them, in the order they are registered. Every
 * table with a profile column must be some handler's (a test reads the database's catalogue).
 */
export interface PersonDataHandler {
  /** The room or concern, for receipts and errors. */
  readonly name: string;
  /** The tables it answers for. */
  readonly tables: readonly string[];
  /** The person's rows in each of its tables. */
  export(person: Person, transaction?: Transaction): Promise<Record<string, PersonRows>>;
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
