import { DataTypes } from 'sequelize';
import { longText } from '../src/db/column-types';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Pushes: what to send (content), to whom (a saved segment or an expression), through which account, and when.
 * `status` runs planned → confirmed → sending → done, or to cancelled; `plan` keeps the forecast shown before
 * confirmation. A recurring push (cron `schedule`) is never sent itself: each run is a push with `parent_id`.
 * An automation's push (`trigger` set) gets deliveries as people meet its trigger.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('pushes', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(128), allowNull: false },
    account: { type: DataTypes.STRING(64), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    segment: { type: DataTypes.STRING(128), allowNull: true },
    expression: { type: DataTypes.TEXT, allowNull: true },
    content: { type: longText(sequelize), allowNull: false },
    send_at: { type: DataTypes.DATE(3), allowNull: true },
    schedule: { type: DataTypes.STRING(128), allowNull: true },
    trigger_spec: { type: DataTypes.STRING(255), allowNull: true },
    parent_id: { type: DataTypes.INTEGER, allowNull: true },
    plan: { type: longText(sequelize), allowNull: true },
    recipients: { type: DataTypes.INTEGER, allowNull: true },
    created_by: { type: DataTypes.STRING(128), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    planned_at: { type: DataTypes.DATE(3), allowNull: false },
    confirmed_at: { type: DataTypes.DATE(3), allowNull: true },
    confirmed_by: { type: DataTypes.STRING(128), allowNull: true },
    cancelled_at: { type: DataTypes.DATE(3), allowNull: true },
    finished_at: { type: DataTypes.DATE(3), allowNull: true },
    next_run_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('pushes', ['status', 'id'], { name: 'pushes_status' });
  // A recurring push runs once per tick, whichever instance starts it.
  await queryInterface.addIndex('pushes', ['parent_id', 'send_at'], { name: 'pushes_parent_run', unique: true });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('pushes');
}
