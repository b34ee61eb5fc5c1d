import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Follower messages the model has classified into interests: one row per message event (so none is sent twice),
 * with what it found. The message text itself is not kept here.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('ai_classifications', {
    event_id: { type: DataTypes.BIGINT, primaryKey: true },
    profile_id: { type: DataTypes.INTEGER, allowNull: false },
    interests: { type: DataTypes.STRING(512), allowNull: false },
    classified_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('ai_classifications', ['classified_at'], { name: 'ai_classifications_time' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('ai_classifications');
}
