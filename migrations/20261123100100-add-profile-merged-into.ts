import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** A merged profile points at its survivor; reads by its id answer with the survivor. Null for a live profile. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('profiles', 'merged_into', { type: DataTypes.INTEGER, allowNull: true });
  await queryInterface.addIndex('profiles', ['merged_into'], { name: 'profiles_merged_into' });
}

/** Plain DROP COLUMN: see 20261122150000-add-profile-first-touch. */
export async function down({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.removeIndex('profiles', 'profiles_merged_into');
  await sequelize.query('ALTER TABLE profiles DROP COLUMN merged_into');
}
