import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Every rules document that has been in force, newest last: from the config files (at start or on a hot reload) or
 * applied through the API. Instances follow the newest, so a rule change reaches all of them, and the history says
 * who changed what when.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('rule_versions', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    document: {
      type: sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT,
      allowNull: false,
    },
    source: { type: DataTypes.STRING(16), allowNull: false },
    actor: { type: DataTypes.STRING(191), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('rule_versions');
}
