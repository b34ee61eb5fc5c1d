import { DataTypes } from 'sequelize';
import { longText } from '../src/db/column-types';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * The timeline: everything a person did or experienced, append-only. `source_key` makes every write idempotent;
 * (profile_id, occurred_at, id) serves one profile's timeline newest-first.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('events', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    type: { type: DataTypes.STRING(64), allowNull: false },
    channel: { type: DataTypes.STRING(64), allowNull: true },
    source: { type: DataTypes.STRING(64), allowNull: false },
    source_key: { type: DataTypes.STRING(191), allowNull: false },
    occurred_at: { type: DataTypes.DATE(3), allowNull: false },
    received_at: { type: DataTypes.DATE(3), allowNull: false },
    properties: { type: longText(sequelize), allowNull: true },
  });
  await queryInterface.addIndex('events', ['source_key'], { name: 'events_source_key', unique: true });
  await queryInterface.addIndex('events', ['profile_id', 'occurred_at', 'id'], { name: 'events_profile_timeline' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('events');
}
