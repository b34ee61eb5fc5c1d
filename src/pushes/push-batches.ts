import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { PushRecipient, PushSendOutcome } from './push-sender.types';

/** Rolls a batch back: some of its rows are no longer the creator's. */
class LostClaim extends Error {}

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

  /**
   * Writes a batch of the rows `worker` holds; undefined when any of them isn't its own any more (its lease ran out
   * and another instance took it over, or it is in a batch already): then nothing is written and nothing may be sent.
   */
  async create(
    pushId: number,
    channel: string,
    deliveryIds: readonly number[],
    worker: string,
    now: Date,
  ): Promise<PushBatch | undefined> {
    const key = `persona-${randomUUID()}`;
    const id = await this.db
      .transaction(async (transaction) => {
        const batchId = await this.db.insert(
          "INSERT INTO push_batches (push_id, channel, batch_key, status, recipients, created_at) VALUES (?, ?, ?, 'sending', ?, ?)",
          [pushId, channel, key, deliveryIds.length, now],
          transaction,
        );
        const joined = await this.db.execute(
          `UPDATE push_deliveries SET batch_id = :batchId
            WHERE id IN (:deliveryIds) AND locked_by = :worker AND locked_until > :now AND batch_id IS NULL`,
          { batchId, deliveryIds, worker, now },
          transaction,
        );
        if (joined !== deliveryIds.length) throw new LostClaim();
        return batchId;
      })
      .catch((error: unknown) => {
        if (error instanceof LostClaim) return undefined;
        throw error;
      });
    return id === undefined ? undefined : this.get(id);
  }

  async get(id: number): Promise<PushBatch> {
    const [batch] = await this.db.select<{ batch_key: string }>('SELECT batch_key FROM push_batches WHERE id = ?', [
      id,
    ]);
    if (!batch) throw new Error(`push batch ${id} is gone`);
    const members = await this.db.select<{ id: number; profile_id: number; openid: string }>(
      'SELECT id, profile_id, openid FROM push_deliveries WHERE batch_id = ? AND openid IS NOT NULL ORDER BY id',
      [id],
    );
    return {
      id,
      key: batch.batch_key,
      recipients: members.map((member) => ({
        deliveryId: Number(member.id),
        profileId: Number(member.profile_id),
        openid: member.openid,
      })),
    };
  }

  async finish(
    id: number,
    outcome: Exclude<PushSendOutcome, { status: 'retry' }>,
    now: Date,
    transaction: Transaction,
  ): Promise<void> {
    await this.db.execute(
      'UPDATE push_batches SET status = ?, external_id = ?, error_code = ?, sent_at = ? WHERE id = ?',
      [
        outcome.status,
        outcome.status === 'sent' ? (outcome.externalId ?? null) : null,
        outcome.status === 'failed' ? outcome.code : null,
        now,
        id,
      ],
      transaction,
    );
  }
}
