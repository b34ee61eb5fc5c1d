import { DataTypes } from 'sequelize';
import { longText } from '../src/db/column-types';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Results a channel reports back about sends (WeChat's MASSSENDJOBFINISH and TEMPLATESENDJOBFINISH), kept for the
 * push engine to reconcile. Unique per (source, kind, external id): a retried report is stored once.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('delivery_reports', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    source: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    external_id: { type: DataTypes.STRING(128), allowNull: false },
    status: { type: DataTypes.STRING(128), allowNull: false },
    recipient: { type: DataTypes.STRING(128), allowNull: true },
    details: { type: longText(sequelize), allowNull: true },
    occurred_at: { type: DataTypes.DATE(3), allowNull: false },
    received_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('delivery_reports', ['source', 'kind', 'external_id'], {
    name: 'delivery_reports_key',
    unique: true,
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('delivery_reports');
}
