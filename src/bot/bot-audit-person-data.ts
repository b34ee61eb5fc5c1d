import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { IdentityMentions } from '../profiles/identity-mentions';
import type { Person, PersonDataHandler } from '../profiles/person-data';
import { chunks } from '../util/chunks';
import { maxChainedTerms } from '../db/sql-limits';
import { likeContaining } from '../db/sql-like';

/**
 * What operators typed about a person: `/whois <their email>`, `/tag add <their phone> …`. Exported as they are; on
 * erasure they stay in the bot's audit trail (who asked what, when, with what outcome) with the person's identities
 * replaced by `[erased]`. The database narrows the rows down by fragments (plain reads; nothing is locked but the
 * rows changed), then each text is redacted by the patterns, which know every spelling of a phone number.
 */
export function botAuditPersonData(db: Database): PersonDataHandler {
  /** The audit rows that name the person (found by fragments, then confirmed by the patterns), with their redaction. */
  async function mentioning(person: Person, transaction?: Transaction) {
    const mentions = new IdentityMentions(person.identities);
    const found = new Map<number, { row: Record<string, unknown>; text: string; detail: string | null }>();
    for (const fragments of chunks(mentions.fragments, maxChainedTerms / 2)) {
      const rows = await db.select<Record<string, unknown> & { id: number; text: string; detail: string | null }>(
        `SELECT id, transport, operator, room, text, command, outcome, detail, received_at, answered_at FROM bot_audit
          WHERE ${fragments.map(() => "LOWER(text) LIKE ? ESCAPE '!' OR LOWER(detail) LIKE ? ESCAPE '!'").join(' OR ')}`,
        fragments.flatMap((fragment) => [likeContaining(fragment), likeContaining(fragment)]),
        transaction,
      );
      for (const row of rows) {
        const text = mentions.redact(row.text);
        const detail = row.detail === null ? null : mentions.redact(row.detail).slice(0, 512);
        if (text !== row.text || detail !== row.detail) found.set(Number(row.id), { row, text, detail });
      }
    }
    return [...found.values()].sort((a, b) => Number(a.row.id) - Number(b.row.id));
  }
  return {
    name: 'bot',
    tables: ['bot_audit'],
    async export(person, transaction) {
      return { bot_audit: (await mentioning(person, transaction)).map(({ row }) => row) };
    },
    async erase(person, transaction) {
      for (const { row, text, detail } of await mentioning(person, transaction)) {
        await db.execute(
          'UPDATE bot_audit SET text = ?, detail = ? WHERE id = ?',
          [text, detail, Number(row.id)],
          transaction,
        );
      }
    },
  };
}
