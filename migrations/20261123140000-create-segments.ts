import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Saved segments: a unique name and an expression (stored in canonical form). A frozen segment also has the profiles
 * it held when it was frozen, a static list for a push audience that must not move after confirmation; its daily
 * counts are kept for trend lines.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('segments', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(64), allowNull: false },
    expression: { type: DataTypes.TEXT, allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: true },
    frozen_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  if (sequelize.getDialect() === 'mysql') {
    // Names compare byte for byte, like tags: 运动迷 and "VIP" vs "vip" are different segments.
    await sequelize.query(
      'ALTER TABLE segments MODIFY name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    );
  }
  await queryInterface.addIndex('segments', ['name'], { name: 'segments_name', unique: true });

  await queryInterface.createTable('segment_members', {
    segment_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: 'segments', key: 'id' },
      onDelete: 'CASCADE',
    },
    profile_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
  });

  await queryInterface.createTable('segment_counts', {
    segment_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: 'segments', key: 'id' },
      onDelete: 'CASCADE',
    },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    count: { type: DataTypes.INTEGER, allowNull: false },
    counted_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('segment_counts');
  await queryInterface.dropTable('segment_members');
  await queryInterface.dropTable('segments');
}
