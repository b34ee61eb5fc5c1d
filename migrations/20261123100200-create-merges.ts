import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Merges of two profiles, suggested or done: the survivor, the absorbed profile, the evidence (the identities both
 * matched), what caused it, and the survivor's own columns before it (so unmerge can restore them). `pair_key` is
 * set while a pair is suggested or rejected, so the same pair is never suggested twice.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('merges', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    survivor_id: { type: DataTypes.INTEGER, allowNull: false },
    absorbed_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    pair_key: { type: DataTypes.STRING(32), allowNull: true },
    evidence: { type: DataTypes.TEXT, allowNull: false },
    cause: { type: DataTypes.STRING(191), allowNull: false },
    survivor_before: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    merged_at: { type: DataTypes.DATE(3), allowNull: true },
    unmerged_at: { type: DataTypes.DATE(3), allowNull: true },
    decided_by: { type: DataTypes.STRING(128), allowNull: true },
  });
  await queryInterface.addIndex('merges', ['pair_key'], { name: 'merges_pair_key', unique: true });
  await queryInterface.addIndex('merges', ['absorbed_id', 'status'], { name: 'merges_absorbed_status' });
  await queryInterface.addIndex('merges', ['survivor_id', 'status'], { name: 'merges_survivor_status' });
  await queryInterface.addIndex('merges', ['status', 'id'], { name: 'merges_status' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('merges');
}
