import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * The scoring ledger: one row per (event, rule) that gave points, unique, so an event processed twice or by two
 * workers at once counts once. A profile's score per group is the sum of its ledger rows, each faded by its age
 * (`scores` keeps that sum as of its `updated_at`). `cap_key` names what a cap counts (the article of a once-per-article
 * rule, the day of a three-a-day rule).
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('score_ledger', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    event_id: {
      type: DataTypes.BIGINT,
      allowNull: false,
      references: { model: 'events', key: 'id' },
      onDelete: 'CASCADE',
    },
    rule_id: { type: DataTypes.STRING(64), allowNull: false },
    profile_id: { type: DataTypes.INTEGER, allowNull: false },
    score_group: { type: DataTypes.STRING(64), allowNull: false },
    points: { type: DataTypes.INTEGER, allowNull: false },
    occurred_at: { type: DataTypes.DATE(3), allowNull: false },
    cap_key: { type: DataTypes.STRING(191), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  if (sequelize.getDialect() === 'mysql') {
    // Byte for byte, like every other key (20261123120000-binary-key-collation).
    await sequelize.query(
      `ALTER TABLE score_ledger
         MODIFY rule_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
         MODIFY score_group VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
         MODIFY cap_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`,
    );
  }
  await queryInterface.addIndex('score_ledger', ['event_id', 'rule_id'], {
    name: 'score_ledger_event_rule',
    unique: true,
  });
  await queryInterface.addIndex('score_ledger', ['profile_id', 'rule_id', 'cap_key'], {
    name: 'score_ledger_profile_rule',
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('score_ledger');
}
