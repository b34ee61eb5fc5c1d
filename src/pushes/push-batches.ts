import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { PushRecipient, PushSendOutcome } from '../plugins/extension-points';

/** A stored batch: its key (WeChat's clientmsgid) and its whole membership, as first written. */
export interface PushBatch {
  id: number;
  key: string;
  recipients: PushRecipient[];
}

/**
 * Batches of a batch channel (mass sends). A batch and its members are written before the send; whoever sends it
 * again (after a crash, or a retry) sends the same members under the same key.
 */
export class PushBatches {
  constructor(private readonly db: Database) {}

  async create(pushId: number, channel: string, deliveryIds: readonly number[], now: Date): Promise<PushBatch> {
    const key = `persona-${randomUUID()}`;
    const id = await this.db.transaction(async (transaction) => {
      const batchId = await this.db.insert(
        "INSERT INTO push_batches (push_id, channel, batch_key, status, recipients, created_at) VALUES (?, ?, ?, 'sending', ?, ?)",
        [pushId, channel, key, deliveryIds.length, now],
        transaction,
      );
      await this.db.execute('UPDATE push_deliveries SET batch_id = :batchId WHERE id IN (:deliveryIds)', { batchId, deliveryIds }, transaction);
      return batchId;
    });
    return this.get(id);
  }

  async get(id: number): Promise<PushBatch> {
    const [batch] = await this.db.select<{ batch_key: string }>('SELECT batch_key FROM push_batches WHERE id = ?', [id]);
    if (!batch) throw new Error(`push batch ${id} is gone`);
    const members = await this.db.select<{ id: number; profile_id: number; openid: string }>(
      'SELECT id, profile_id, openid FROM push_deliveries WHERE batch_id = ? ORDER BY id',
      [id],
    );
    return {
      id,
      key: batch.batch_key,
      recipients: members.map((member) => ({ deliveryId: Number(member.id), profileId: Number(member.profile_id), openid: member.openid })),
    };
  }

  async finish(id: number, outcome: Exclude<PushSendOutcome, { status: 'retry' }>, now: Date, transaction: Transaction): Promise<void> {
    await this.db.execute(
      'UPDATE push_batches SET status = ?, external_id = ?, error_code = ?, sent_at = ? WHERE id = ?',
      [outcome.status, outcome.status === 'sent' ? (outcome.externalId ?? null) : null, outcome.status === 'failed' ? outcome.code : null, now, id],
      transaction,
    );
  }
}
