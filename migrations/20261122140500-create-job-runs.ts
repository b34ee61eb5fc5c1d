import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** Job history, one row per (job, scheduled tick): the unique key is what makes a tick run once cluster-wide. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('job_runs', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(128), allowNull: false },
    tick: { type: DataTypes.DATE(3), allowNull: false },
    holder: { type: DataTypes.STRING(128), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    started_at: { type: DataTypes.DATE(3), allowNull: false },
    finished_at: { type: DataTypes.DATE(3), allowNull: true },
    error: { type: DataTypes.TEXT, allowNull: true },
  });
  await queryInterface.addIndex('job_runs', ['name', 'tick'], { name: 'job_runs_name_tick', unique: true });
  await queryInterface.addIndex('job_runs', ['started_at'], { name: 'job_runs_started_at' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('job_runs');
}
