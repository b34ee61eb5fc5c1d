import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** Who did what to whom, for actions that must be accountable (erasing a person, later merges and pushes). */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('audit_log', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    actor: { type: DataTypes.STRING(128), allowNull: false },
    action: { type: DataTypes.STRING(64), allowNull: false },
    subject: { type: DataTypes.STRING(128), allowNull: false },
    details: { type: DataTypes.TEXT, allowNull: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('audit_log', ['subject'], { name: 'audit_log_subject' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('audit_log');
}
