import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** A tag an operator gave for a while (`expires_at`); the tag-expiry job takes it away when the time comes. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addColumn('tags', 'expires_at', { type: DataTypes.DATE(3), allowNull: true });
  await queryInterface.addIndex('tags', ['expires_at'], { name: 'tags_expires_at' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.removeIndex('tags', 'tags_expires_at');
  await queryInterface.removeColumn('tags', 'expires_at');
}
