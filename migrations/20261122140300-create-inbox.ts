import { DataTypes } from 'sequelize';
import { longText } from '../src/db/column-types';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Durable intake: an inbound event is written here before the HTTP answer and processed by a worker afterwards.
 * `source_key` drops duplicates at the door; (status, available_at, id) is the claim order.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('inbox', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    source: { type: DataTypes.STRING(64), allowNull: false },
    source_key: { type: DataTypes.STRING(191), allowNull: false },
    payload: { type: longText(sequelize), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    available_at: { type: DataTypes.DATE(3), allowNull: false },
    locked_by: { type: DataTypes.STRING(64), allowNull: true },
    locked_until: { type: DataTypes.DATE(3), allowNull: true },
    last_error: { type: DataTypes.TEXT, allowNull: true },
    received_at: { type: DataTypes.DATE(3), allowNull: false },
    processed_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('inbox', ['source_key'], { name: 'inbox_source_key', unique: true });
  await queryInterface.addIndex('inbox', ['status', 'available_at', 'id'], { name: 'inbox_claim' });
  await queryInterface.addIndex('inbox', ['status', 'processed_at'], { name: 'inbox_purge' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('inbox');
}
