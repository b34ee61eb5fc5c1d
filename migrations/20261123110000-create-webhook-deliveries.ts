import { DataTypes } from 'sequelize';
import { longText } from '../src/db/column-types';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * The outbound webhook outbox: one row per (subscriber, timeline event), written in the transaction that put the
 * event on the timeline, delivered afterwards with retries. `event_id` is what receivers dedupe on; the unique
 * (subscriber, event_id) makes enqueueing idempotent. Rows that used up their attempts stay as `failed` (the
 * dead-letter list).
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('webhook_deliveries', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    subscriber: { type: DataTypes.STRING(64), allowNull: false },
    event_id: { type: DataTypes.STRING(64), allowNull: false },
    event_name: { type: DataTypes.STRING(64), allowNull: false },
    profile_id: { type: DataTypes.INTEGER, allowNull: true },
    payload: { type: longText(sequelize), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    available_at: { type: DataTypes.DATE(3), allowNull: false },
    locked_by: { type: DataTypes.STRING(64), allowNull: true },
    locked_until: { type: DataTypes.DATE(3), allowNull: true },
    last_error: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    delivered_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('webhook_deliveries', ['subscriber', 'event_id'], {
    name: 'webhook_deliveries_event',
    unique: true,
  });
  await queryInterface.addIndex('webhook_deliveries', ['status', 'available_at', 'id'], {
    name: 'webhook_deliveries_claim',
  });
  await queryInterface.addIndex('webhook_deliveries', ['profile_id'], { name: 'webhook_deliveries_profile' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('webhook_deliveries');
}
