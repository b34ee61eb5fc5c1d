import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Confirmation codes the bot gave an operator for a planned push: stored as a digest, valid until `expires_at`, used
 * once, and dropped after too many wrong tries. In the database so any instance can take the `confirm`.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('bot_confirmations', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    operator: { type: DataTypes.STRING(128), allowNull: false },
    push_id: { type: DataTypes.BIGINT, allowNull: false },
    code_digest: { type: DataTypes.STRING(64), allowNull: false },
    expires_at: { type: DataTypes.DATE(3), allowNull: false },
    wrong_tries: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    used_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('bot_confirmations', ['operator', 'expires_at'], {
    name: 'bot_confirmations_operator',
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('bot_confirmations');
}
