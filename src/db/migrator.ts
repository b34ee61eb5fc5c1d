import { readdirSync } from 'node:fs';
import path from 'node:path';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Database } from './database';
import type { MigrationContext, MigrationModule } from './migration.types';

/** `migrations/` beside `src/` in the source tree, and `dist/migrations/` beside `dist/src/` in the build. */
export const migrationsDir = path.join(__dirname, '..', '..', 'migrations');

const migrationFile = /^(\d{14}-[a-z0-9-]+)\.(ts|js)$/;

/** Migration names without extension, so the source (`.ts`) and the build (`.js`) record the same names. */
function listMigrations(): { name: string; file: string }[] {
  return readdirSync(migrationsDir)
    .map((entry) => migrationFile.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ name: match[1], file: path.join(migrationsDir, match[0]) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export type Migrator = Umzug<MigrationContext>;

export function createMigrator(db: Database, log?: { info(obj: object, msg: string): void }): Migrator {
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize };
  return new Umzug<MigrationContext>({
    migrations: listMigrations().map(({ name, file }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(file) as MigrationModule;
      return { name, up: loaded.up, down: loaded.down };
    }),
    context,
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'persona_migrations' }),
    logger: log
      ? {
          info: (event) => log.info(event, 'migration'),
          warn: (event) => log.info(event, 'migration'),
          error: (event) => log.info(event, 'migration'),
          debug: () => undefined,
        }
      : undefined,
  });
}

/** True when every migration on disk has run: what `/readyz` checks. */
export async function migrationsAreCurrent(migrator: Migrator): Promise<boolean> {
  return (await migrator.pending()).length === 0;
}
