import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * A confirmation code may stand for something else than a push: a bulk action (tagging a whole segment), described
 * in `action` (JSON). Such a row has no push.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('bot_confirmations', 'action', { type: DataTypes.TEXT, allowNull: true });
  await queryInterface.changeColumn('bot_confirmations', 'push_id', { type: DataTypes.BIGINT, allowNull: true });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.sequelize.query('DELETE FROM bot_confirmations WHERE push_id IS NULL');
  await queryInterface.changeColumn('bot_confirmations', 'push_id', { type: DataTypes.BIGINT, allowNull: false });
  await queryInterface.removeColumn('bot_confirmations', 'action');
}
