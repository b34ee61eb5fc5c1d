import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** How a person first reached the brand: the source (a QR scene, `website`…) and the channel it maps to. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('profiles', 'first_touch_source', { type: DataTypes.STRING(128), allowNull: true });
  await queryInterface.addColumn('profiles', 'first_touch_channel', { type: DataTypes.STRING(64), allowNull: true });
  await queryInterface.addColumn('profiles', 'first_touch_at', { type: DataTypes.DATE(3), allowNull: true });
}

/**
 * Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+, MySQL): Sequelize's SQLite removeColumn rebuilds the table, which
 * loses its indexes and, with foreign keys on, would cascade into the tables that reference profiles.
 */
export async function down({ context: { sequelize } }: MigrationParams): Promise<void> {
  for (const column of ['first_touch_at', 'first_touch_channel', 'first_touch_source']) {
    await sequelize.query(`ALTER TABLE profiles DROP COLUMN ${column}`);
  }
}
