import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/** A person, as Persona knows them. Everything else about them hangs off this id. */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('profiles', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
    last_seen_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await queryInterface.addIndex('profiles', ['last_seen_at'], { name: 'profiles_last_seen_at' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('profiles');
}
