import type { Database } from '../db/database';
import { IdentityMentions } from '../profiles/identity-mentions';
import type { PersonDataEraser } from '../profiles/person-data-eraser';
import { chunks } from '../util/chunks';
import { maxChainedTerms } from '../db/sql-limits';

/** `%fragment%` for LIKE with `!` as the escape character. */
function containing(fragment: string): string {
  return `%${fragment.replace(/[!%_]/g, '!$&')}%`;
}

/**
 * Erasure of what operators typed about a person: `/whois <their email>`, `/tag add <their phone> …` stay in the
 * bot's audit trail (who asked what, when, with what outcome) with the person's identities replaced by `[erased]`.
 * The database narrows the rows down by fragments (plain reads; nothing is locked but the rows changed), then each
 * text is redacted by the patterns, which know every spelling of a phone number.
 */
export function botAuditErasure(db: Database): PersonDataEraser {
  return {
    name: 'bot_audit',
    async erase(person, transaction) {
      const mentions = new IdentityMentions(person.identities);
      for (const fragments of chunks(mentions.fragments, maxChainedTerms / 2)) {
        const rows = await db.select<{ id: number; text: string; detail: string | null }>(
          `SELECT id, text, detail FROM bot_audit
            WHERE ${fragments.map(() => "LOWER(text) LIKE ? ESCAPE '!' OR LOWER(detail) LIKE ? ESCAPE '!'").join(' OR ')}`,
          fragments.flatMap((fragment) => [containing(fragment), containing(fragment)]),
          transaction,
        );
        for (const row of rows) {
          const text = mentions.redact(row.text);
          const detail = row.detail === null ? null : mentions.redact(row.detail).slice(0, 512);
          if (text === row.text && detail === row.detail) continue;
          await db.execute(
            'UPDATE bot_audit SET text = ?, detail = ? WHERE id = ?',
            [text, detail, Number(row.id)],
            transaction,
          );
        }
      }
    },
  };
}
