import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database';
import type { Clock } from '../util/clock';

/** Wrong codes an operator may type before their pending codes are dropped (a new `push` gives a new one). */
const maxWrongTries = 5;

const digest = (code: string) => createHash('sha256').update(code).digest('hex');

/** A bulk action waiting for its code: tag (or untag) everyone an audience selects when confirmed. */
export interface BulkTagAction {
  kind: 'tag';
  mode: 'add' | 'remove';
  tag: string;
  audience: { segment: string } | { expression: string };
  /** How many the audience selected when the code was given (shown back; the audience is read again on confirm). */
  count: number;
}

/** What a code confirms: a planned push, or a bulk action. */
export type ConfirmationTarget = { pushId: number } | { action: BulkTagAction };

export type ConfirmationCheck =
  | ({ ok: true; id: number } & ConfirmationTarget)
  | { ok: false; reason: 'none_pending' | 'wrong_code' }
  /** The pushes whose codes were dropped (each may get a fresh code). */
  | { ok: false; reason: 'too_many_tries'; pushIds: number[] };

/**
 * Six-digit codes that stand between a push's plan (or a bulk action) and its confirmation in chat: one per plan, for
 * the operator who asked, valid for a few minutes, used once. Stored as digests and compared in constant time.
 */
export class ConfirmationCodes {
  constructor(
    private readonly db: Database,
    private readonly validMinutes: number,
    private readonly clock: Clock,
  ) {}

  get minutes(): number {
    return this.validMinutes;
  }

  async issue(operator: string, target: ConfirmationTarget): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.clock();
    await this.db.execute(
      'INSERT INTO bot_confirmations (operator, push_id, action, code_digest, expires_at, wrong_tries, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
      [
        operator,
        'pushId' in target ? target.pushId : null,
        'action' in target ? JSON.stringify(target.action) : null,
        digest(code),
        new Date(now.getTime() + this.validMinutes * 60_000),
        now,
      ],
    );
    return code;
  }

  /**
   * The push `code` confirms for `operator`, marking the code used (once: a second `confirm` with it finds nothing).
   * A wrong code counts against every pending code of the operator; too many and they are dropped (the plans stay: a
   * fresh code is one `/push code <id>` away).
   */
  async check(operator: string, code: string): Promise<ConfirmationCheck> {
    const now = this.clock();
    return this.db.transaction(async (transaction) => {
      const pending = await this.db.select<{
        id: number;
        push_id: number | null;
        action: string | null;
        code_digest: string;
        wrong_tries: number;
      }>(
        `SELECT id, push_id, action, code_digest, wrong_tries FROM bot_confirmations WHERE operator = ? AND used_at IS NULL AND expires_at > ? ORDER BY id${this.db.forUpdate}`,
        [operator, now],
        transaction,
      );
      if (pending.length === 0) return { ok: false, reason: 'none_pending' };
      const typed = Buffer.from(digest(code.trim()), 'hex');
      const match = pending.find((row) => timingSafeEqual(typed, Buffer.from(row.code_digest, 'hex')));
      if (match) {
        const used = await this.db.execute(
          'UPDATE bot_confirmations SET used_at = ? WHERE id = ? AND used_at IS NULL',
          [now, match.id],
          transaction,
        );
        if (used !== 1) return { ok: false, reason: 'none_pending' };
        return match.action !== null
          ? { ok: true, id: Number(match.id), action: JSON.parse(match.action) as BulkTagAction }
          : { ok: true, id: Number(match.id), pushId: Number(match.push_id) };
      }
      const ids = pending.map((row) => Number(row.id));
      await this.db.execute(
        'UPDATE bot_confirmations SET wrong_tries = wrong_tries + 1 WHERE id IN (:ids)',
        { ids },
        transaction,
      );
      if (Math.max(...pending.map((row) => Number(row.wrong_tries))) + 1 >= maxWrongTries) {
        await this.db.execute(
          'UPDATE bot_confirmations SET used_at = :at WHERE id IN (:ids)',
          { ids, at: now },
          transaction,
        );
        const pushIds = pending.filter((row) => row.push_id !== null).map((row) => Number(row.push_id));
        return { ok: false, reason: 'too_many_tries', pushIds: [...new Set(pushIds)] };
      }
      return { ok: false, reason: 'wrong_code' };
    });
  }

  /**
   * Drops the operator's pending `code` without doing what it would confirm (a card's cancel button on a bulk action);
   * false when no pending code matches. A wrong code here counts for nothing: it confirms nothing either.
   */
  async withdraw(operator: string, code: string): Promise<boolean> {
    const now = this.clock();
    const pending = await this.db.select<{ id: number; code_digest: string }>(
      'SELECT id, code_digest FROM bot_confirmations WHERE operator = ? AND used_at IS NULL AND expires_at > ?',
      [operator, now],
    );
    const typed = Buffer.from(digest(code.trim()), 'hex');
    const match = pending.find((row) => timingSafeEqual(typed, Buffer.from(row.code_digest, 'hex')));
    if (!match) return false;
    return (
      (await this.db.execute('UPDATE bot_confirmations SET used_at = ? WHERE id = ? AND used_at IS NULL', [
        now,
        match.id,
      ])) === 1
    );
  }

  /** Makes a used code usable again (the confirmation it was used for failed, and the operator may try again). */
  async reopen(id: number): Promise<void> {
    await this.db.execute('UPDATE bot_confirmations SET used_at = NULL WHERE id = ?', [id]);
  }
}
