import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** A profile's attributes, one row per (profile, name), each value with the source that set it and when. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('attributes', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(64), allowNull: false },
    value: { type: DataTypes.TEXT, allowNull: false },
    source: { type: DataTypes.STRING(64), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('attributes', ['profile_id', 'name'], {
    name: 'attributes_profile_name',
    unique: true,
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('attributes');
}
