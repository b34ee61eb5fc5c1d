import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * A plan made in chat expires with its confirmation code: past `expires_at` a planned push is shown `expired` and
 * can no longer be confirmed (a fresh code plans it again). Null: the plan waits until confirmed or cancelled.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('pushes', 'expires_at', { type: DataTypes.DATE(3), allowNull: true });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.removeColumn('pushes', 'expires_at');
}
