import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * One send to many recipients (a WeChat mass send to an openid list). The batch is written, with its members, before
 * the send, and its `batch_key` (WeChat's clientmsgid) goes with every attempt: after a crash the same batch is sent
 * again under the same key, and WeChat answers "already sent" instead of sending twice.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('push_batches', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    push_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'pushes', key: 'id' },
      onDelete: 'CASCADE',
    },
    channel: { type: DataTypes.STRING(32), allowNull: false },
    batch_key: { type: DataTypes.STRING(64), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    recipients: { type: DataTypes.INTEGER, allowNull: false },
    external_id: { type: DataTypes.STRING(64), allowNull: true },
    error_code: { type: DataTypes.STRING(32), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    sent_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('push_batches', ['batch_key'], { name: 'push_batches_key', unique: true });
  await queryInterface.addIndex('push_batches', ['push_id'], { name: 'push_batches_push' });
  await queryInterface.addIndex('push_batches', ['external_id'], { name: 'push_batches_external' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('push_batches');
}
