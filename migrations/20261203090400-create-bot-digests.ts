import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * What operators subscribed to in chat (`/subscribe daily`), and the digests sent: one row per operator and local day,
 * written before sending, so a digest goes out once whichever instance runs the morning's job.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('bot_subscriptions', {
    operator: { type: DataTypes.STRING(128), primaryKey: true },
    topic: { type: DataTypes.STRING(32), primaryKey: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.createTable('bot_digests', {
    operator: { type: DataTypes.STRING(128), primaryKey: true },
    day: { type: DataTypes.STRING(10), primaryKey: true },
    sent_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('bot_digests');
  await queryInterface.dropTable('bot_subscriptions');
}
