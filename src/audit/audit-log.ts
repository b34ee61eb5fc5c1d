import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';

/** One line of the audit trail: who did what to what (`profile:12`, `push:3`, `merge:7`), when, with what outcome. */
export interface AuditEntry {
  actor: string;
  /** What was done, as `<subject kind>.<verb>`: `profile.erased`, `push.confirmed`, `profile.merged`. */
  action: string;
  subject: string;
  details?: object;
  at: Date;
}

/**
 * Writes the audit trail (`audit_log`), the one record of what operators and Persona did to people and pushes; every
 * room writes it through here, in the transaction of what it records. Names are cut to their columns' width.
 */
export async function recordAudit(db: Database, entry: AuditEntry, transaction?: Transaction): Promise<void> {
  await db.execute(
    'INSERT INTO audit_log (actor, action, subject, details, at) VALUES (?, ?, ?, ?, ?)',
    [
      entry.actor.slice(0, 128),
      entry.action.slice(0, 64),
      entry.subject.slice(0, 128),
      entry.details === undefined ? null : JSON.stringify(entry.details),
      entry.at,
    ],
    transaction,
  );
}
