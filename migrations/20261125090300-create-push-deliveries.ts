import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * A push's recipients, frozen at confirmation: one row per (push, profile), so a retry or a second instance can't
 * deliver twice. Outbox workers claim due rows under a lease. `status`: queued → sending → sent | failed (WeChat's
 * `error_code`) | skipped (`reason`) | deferred (`reason`, due again at `available_at`) | cancelled. `decided_at` is
 * when the channel was chosen (what frequency caps and quotas count), with the `openid` it goes to (a send repeated
 * after a crash goes to the same one); `attempted_at` when a one-recipient send left: a send found in flight after a
 * crash is not repeated.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('push_deliveries', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    push_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'pushes', key: 'id' },
      onDelete: 'CASCADE',
    },
    profile_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    channel: { type: DataTypes.STRING(32), allowNull: true },
    openid: { type: DataTypes.STRING(64), allowNull: true },
    reason: { type: DataTypes.STRING(32), allowNull: true },
    error_code: { type: DataTypes.STRING(32), allowNull: true },
    batch_id: { type: DataTypes.BIGINT, allowNull: true },
    external_id: { type: DataTypes.STRING(64), allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    available_at: { type: DataTypes.DATE(3), allowNull: false },
    locked_by: { type: DataTypes.STRING(64), allowNull: true },
    locked_until: { type: DataTypes.DATE(3), allowNull: true },
    decided_at: { type: DataTypes.DATE(3), allowNull: true },
    attempted_at: { type: DataTypes.DATE(3), allowNull: true },
    finished_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('push_deliveries', ['push_id', 'profile_id'], {
    name: 'push_deliveries_recipient',
    unique: true,
  });
  await queryInterface.addIndex('push_deliveries', ['status', 'available_at', 'id'], { name: 'push_deliveries_claim' });
  await queryInterface.addIndex('push_deliveries', ['profile_id', 'decided_at'], { name: 'push_deliveries_profile' });
  await queryInterface.addIndex('push_deliveries', ['decided_at'], { name: 'push_deliveries_decided' });
  await queryInterface.addIndex('push_deliveries', ['batch_id'], { name: 'push_deliveries_batch' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('push_deliveries');
}
