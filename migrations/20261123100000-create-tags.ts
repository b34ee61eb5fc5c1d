import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * A profile's tags: one row per (profile, tag), with the source that set it (`crm:<source>`, `operator`, a rule)
 * and when. The category is the part of the name before the first slash (`crm/mql` → `crm`).
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('tags', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(128), allowNull: false },
    source: { type: DataTypes.STRING(64), allowNull: false },
    added_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('tags', ['profile_id', 'name'], { name: 'tags_profile_name', unique: true });
  await queryInterface.addIndex('tags', ['name'], { name: 'tags_name' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('tags');
}
