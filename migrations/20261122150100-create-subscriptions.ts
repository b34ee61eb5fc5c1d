import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * Whether a profile follows each official account, since when, and how it arrived. `changed_at` is the time of the
 * event that last changed the state, so events processed out of order can't flip it back.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('subscriptions', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    account: { type: DataTypes.STRING(64), allowNull: false },
    subscribed: { type: DataTypes.BOOLEAN, allowNull: false },
    first_subscribed_at: { type: DataTypes.DATE(3), allowNull: true },
    subscribed_at: { type: DataTypes.DATE(3), allowNull: true },
    unsubscribed_at: { type: DataTypes.DATE(3), allowNull: true },
    source: { type: DataTypes.STRING(128), allowNull: true },
    channel: { type: DataTypes.STRING(64), allowNull: true },
    changed_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('subscriptions', ['profile_id', 'account'], {
    name: 'subscriptions_profile_account',
    unique: true,
  });
  await queryInterface.addIndex('subscriptions', ['account', 'subscribed'], { name: 'subscriptions_account_state' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('subscriptions');
}
