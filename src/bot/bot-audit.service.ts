import type { Database } from '../db/database';
import { ConflictError } from '../errors/app.errors';
import { Keyset, type Page, type PageRequest } from '../util/paging';

/** What came of a message. */
export type BotOutcome =
  'received' | 'ok' | 'failed' | 'refused' | 'unknown_command' | 'rate_limited' | 'unknown_sender' | 'error';

export interface ReceivedMessage {
  transport: string;
  messageId?: string;
  sender: string;
  operator?: string;
  room?: string;
  text: string;
  at: Date;
}

/** An audit row as `GET /api/bot/audit` shows it. */
export interface BotAuditEntry {
  transport: string;
  sender: string;
  operator: string | null;
  text: string;
  command: string | null;
  outcome: string;
  detail: string | null;
  receivedAt: string;
}

/** Newest first by id. */
const auditPages = new Keyset<{ id: number }>({
  list: 'bot-audit',
  keys: [{ column: 'id', kind: 'id' }],
  direction: 'desc',
  keyOf: (row) => [Number(row.id)],
});

/** The longest text kept per message; a longer one is cut (the bot refuses such commands anyway). */
const maxText = 4000;

/**
 * The bot's audit trail: one row per message received, written before anything runs (a chat message id already
 * there means the message came twice, and it is not answered again), then completed with the command and outcome.
 */
export class BotAuditService {
  constructor(private readonly db: Database) {}

  /** Records a message; undefined when its id was recorded before (a redelivery). */
  async receive(message: ReceivedMessage): Promise<number | undefined> {
    try {
      return await this.db.insert(
        'INSERT INTO bot_audit (transport, message_id, sender, operator, room, text, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          message.transport,
          message.messageId ?? null,
          message.sender.slice(0, 128),
          message.operator ?? null,
          message.room?.slice(0, 128) ?? null,
          message.text.slice(0, maxText),
          'received',
          message.at,
        ],
      );
    } catch (error) {
      if (error instanceof ConflictError && message.messageId) return undefined;
      throw error;
    }
  }

  async complete(
    id: number,
    result: { command?: string; outcome: BotOutcome; detail?: string; at: Date },
  ): Promise<void> {
    await this.db.execute('UPDATE bot_audit SET command = ?, outcome = ?, detail = ?, answered_at = ? WHERE id = ?', [
      result.command ?? null,
      result.outcome,
      result.detail?.slice(0, 512) ?? null,
      result.at,
      id,
    ]);
  }

  /** Whether `sender` (not an operator) was answered with a refusal since `since`. */
  async refusedSince(sender: string, since: Date): Promise<boolean> {
    const rows = await this.db.select<{ id: number }>(
      "SELECT id FROM bot_audit WHERE sender = ? AND outcome = 'unknown_sender' AND detail = 'refusal sent' AND received_at >= ? LIMIT 1",
      [sender, since],
    );
    return rows.length > 0;
  }

  /** The trail newest first, a page at a time (`GET /api/bot/audit`). */
  async list(request: PageRequest): Promise<Page<BotAuditEntry>> {
    const page = auditPages.clause(request);
    const rows = await this.db.select<Omit<BotAuditEntry, 'receivedAt'> & { id: number; received_at: unknown }>(
      `SELECT id, transport, sender, operator, text, command, outcome, detail, received_at FROM bot_audit WHERE ${page.where} ${page.orderAndLimit}`,
      page.values,
    );
    return auditPages.page(rows, request, ({ id: _id, received_at: receivedAt, ...row }) => ({
      ...row,
      receivedAt: this.db.parseTime(receivedAt)?.toISOString() ?? '',
    }));
  }
}
