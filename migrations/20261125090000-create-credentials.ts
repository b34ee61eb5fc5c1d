import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Short-lived credentials shared by every instance (a WeChat access token): one row per name, refreshed by whichever
 * instance holds the row's lease, so a cluster fetches one token instead of one per instance.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('credentials', {
    name: { type: DataTypes.STRING(191), primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: true },
    expires_at: { type: DataTypes.DATE(3), allowNull: true },
    lease_owner: { type: DataTypes.STRING(64), allowNull: true },
    lease_until: { type: DataTypes.DATE(3), allowNull: true },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('credentials');
}
