import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * The keys that point at a profile: email, phone, openid (scoped to an official account), unionid, CRM id, anonymous
 * web id. A (type, scope, value) belongs to one profile at most; the unique key is what keeps concurrent writers from
 * creating the same person twice.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('identities', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    profile_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'profiles', key: 'id' },
      onDelete: 'CASCADE',
    },
    type: { type: DataTypes.STRING(32), allowNull: false },
    scope: { type: DataTypes.STRING(64), allowNull: false, defaultValue: '' },
    value: { type: DataTypes.STRING(255), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await queryInterface.addIndex('identities', ['type', 'scope', 'value'], {
    name: 'identities_type_scope_value',
    unique: true,
  });
  await queryInterface.addIndex('identities', ['profile_id'], { name: 'identities_profile_id' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('identities');
}
