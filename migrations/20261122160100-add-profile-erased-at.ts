import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** When a person was erased; the row stays so their de-personalized events keep a profile to point at. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('profiles', 'erased_at', { type: DataTypes.DATE(3), allowNull: true });
}

/** Plain DROP COLUMN: see 20261122150000-add-profile-first-touch. */
export async function down({ context: { sequelize } }: MigrationParams): Promise<void> {
  await sequelize.query('ALTER TABLE profiles DROP COLUMN erased_at');
}
