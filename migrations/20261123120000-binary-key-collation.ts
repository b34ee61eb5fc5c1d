import type { MigrationParams } from '../src/db/migration.types';

/**
 * Keys compare byte for byte. MySQL's default utf8mb4 collations ignore case and accents, so two followers whose
 * openids differ only in case would share one identity row (one profile), `interest/Café` and `interest/cafe`
 * would be one tag, and dedupe keys built from openids could collide. SQLite compares bytes already.
 */
const columns = [
  { table: 'identities', column: 'value', length: 255 },
  { table: 'identities', column: 'scope', length: 64, defaultValue: "''" },
  { table: 'events', column: 'source_key', length: 191 },
  { table: 'inbox', column: 'source_key', length: 191 },
  { table: 'attributes', column: 'name', length: 64 },
  { table: 'subscriptions', column: 'account', length: 64 },
  { table: 'tags', column: 'name', length: 128 },
];

/** `collation` undefined: the character set's default collation (what the tables were created with). */
async function collate({ context: { sequelize } }: MigrationParams, collation: string | undefined): Promise<void> {
  if (sequelize.getDialect() !== 'mysql') return;
  const charset = `CHARACTER SET utf8mb4${collation ? ` COLLATE ${collation}` : ''}`;
  for (const { table, column, length, defaultValue } of columns) {
    const fallback = defaultValue === undefined ? '' : ` DEFAULT ${defaultValue}`;
    await sequelize.query(`ALTER TABLE ${table} MODIFY ${column} VARCHAR(${length}) ${charset} NOT NULL${fallback}`);
  }
}

export async function up(params: MigrationParams): Promise<void> {
  await collate(params, 'utf8mb4_bin');
}

export async function down(params: MigrationParams): Promise<void> {
  await collate(params, undefined);
}
