import type { MigrationParams } from '../src/db/migration.types';

/**
 * Event types compare byte for byte, like every other key (20261123120000-binary-key-collation): with MySQL's default
 * collation `event:purchase` would also count events ingested as `Purchase`, on MySQL only. SQLite compares bytes
 * already.
 */
const tables = ['events', 'event_properties'];

async function collate({ context: { sequelize } }: MigrationParams, collation: string | undefined): Promise<void> {
  if (sequelize.getDialect() !== 'mysql') return;
  const charset = `CHARACTER SET utf8mb4${collation ? ` COLLATE ${collation}` : ''}`;
  for (const table of tables) await sequelize.query(`ALTER TABLE ${table} MODIFY type VARCHAR(64) ${charset} NOT NULL`);
}

export async function up(params: MigrationParams): Promise<void> {
  await collate(params, 'utf8mb4_bin');
}

export async function down(params: MigrationParams): Promise<void> {
  await collate(params, undefined);
}
