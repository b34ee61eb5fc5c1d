import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * A profile's current score per group (engagement, intent…), decay applied: what segments compare (`score >= 90` is
 * the sum of the groups, `score.engagement > 20` one of them). The scoring engine keeps it; a profile without a row
 * for a group has 0 in it.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('scores', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    score_group: { type: DataTypes.STRING(64), allowNull: false },
    points: { type: DataTypes.DOUBLE, allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('scores', ['profile_id', 'score_group'], {
    name: 'scores_profile_group',
    unique: true,
  });
  await queryInterface.addIndex('scores', ['score_group', 'points'], { name: 'scores_group_points' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('scores');
}
