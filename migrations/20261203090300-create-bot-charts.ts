import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Charts the bot drew for an answer, as PNG, so the link an answer over HTTP gives works on any instance. Kept a week
 * (older ones are dropped as new ones are drawn).
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('bot_charts', {
    token: { type: DataTypes.STRING(32), primaryKey: true },
    name: { type: DataTypes.STRING(128), allowNull: false },
    png: { type: DataTypes.BLOB('medium'), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('bot_charts', ['created_at'], { name: 'bot_charts_created' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('bot_charts');
}
