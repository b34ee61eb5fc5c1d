import type { Transaction } from 'sequelize';
import type { StoredIdentity } from './identity-mentions';

/** Whom an erasure is about: their profiles (the live one and every one merged into it) and every identity they held. */
export interface ErasedPerson {
  profileIds: readonly number[];
  identities: readonly StoredIdentity[];
}

/**
 * A room's part in erasing a person, for what it keeps about them outside the profiles room (what operators wrote
 * about them, say). Runs in the erasure's transaction, while their identities still exist.
 */
export interface PersonDataEraser {
  /** The table or concern, for the erasure's receipt and errors. */
  readonly name: string;
  erase(person: ErasedPerson, transaction: Transaction): Promise<void>;
}
