import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Every message the operator bot received: who sent it (an operator or not), over which transport, the command and
 * its outcome. A chat message id is stored once per transport, so a message delivered twice is answered once.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('bot_audit', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    transport: { type: DataTypes.STRING(16), allowNull: false },
    message_id: { type: DataTypes.STRING(128), allowNull: true },
    sender: { type: DataTypes.STRING(128), allowNull: false },
    operator: { type: DataTypes.STRING(128), allowNull: true },
    room: { type: DataTypes.STRING(128), allowNull: true },
    text: { type: DataTypes.TEXT, allowNull: false },
    command: { type: DataTypes.STRING(64), allowNull: true },
    outcome: { type: DataTypes.STRING(32), allowNull: false },
    detail: { type: DataTypes.STRING(512), allowNull: true },
    received_at: { type: DataTypes.DATE(3), allowNull: false },
    answered_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('bot_audit', ['transport', 'message_id'], { name: 'bot_audit_message', unique: true });
  await queryInterface.addIndex('bot_audit', ['sender', 'outcome', 'received_at'], { name: 'bot_audit_sender' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('bot_audit');
}
