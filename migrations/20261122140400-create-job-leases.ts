import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** One row per scheduled job: which instance is running it and until when its claim holds. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('job_leases', {
    name: { type: DataTypes.STRING(128), primaryKey: true },
    holder: { type: DataTypes.STRING(128), allowNull: true },
    locked_until: { type: DataTypes.DATE(3), allowNull: true },
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('job_leases');
}
