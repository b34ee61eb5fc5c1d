import { ConfigError } from '../errors/app.errors';
import { loadConfig } from '../config/config-loader';
import { Database } from '../db/database';
import { withMigrationLock } from '../db/migration-lock';
import { createMigrator } from '../db/migrator';
import { createLogger } from '../logging/logger';

const usage = `usage: migrate up            apply every pending migration
       migrate down          undo the latest migration
       migrate down --all    undo every migration
       migrate status        list executed and pending migrations`;

/** `npm run migrate` / `npm run migrate:down`: the same migrations start-up runs, by hand. */
async function run(args: string[]): Promise<void> {
  const [command = 'up', flag] = args;
  const config = loadConfig();
  const log = createLogger({ level: config.log.level });
  const db = new Database({ url: config.database.url, log });
  const migrator = createMigrator(db, log);
  try {
    if (command === 'up') {
      const applied = await withMigrationLock(db, () => migrator.up());
      log.info(
        { applied: applied.map((m) => m.name), database: db.target.display },
        `applied ${applied.length} migration(s)`,
      );
    } else if (command === 'down') {
      const undone = await withMigrationLock(db, () => migrator.down(flag === '--all' ? { to: 0 } : undefined));
      log.info(
        { undone: undone.map((m) => m.name), database: db.target.display },
        `undid ${undone.length} migration(s)`,
      );
    } else if (command === 'status') {
      const executed = (await migrator.executed()).map((m) => m.name);
      const pending = (await migrator.pending()).map((m) => m.name);
      process.stdout.write(`${JSON.stringify({ database: db.target.display, executed, pending }, null, 2)}\n`);
    } else {
      process.stderr.write(`${usage}\n`);
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
