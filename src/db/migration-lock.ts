import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { QueryTypes } from 'sequelize';
import { monotonicMs, systemClock } from '../util/clock';
import type { Database } from './database';

const lockName = 'persona_migrations';
const waitSeconds = 60;
const staleFileMs = 10 * 60 * 1000;

/**
 * Runs `work` (migrations) while holding a lock shared by every instance on this database, so instances starting
 * together don't run the same migration twice. MySQL: a named lock (GET_LOCK) held by one pinned connection. SQLite:
 * a lock file beside the database (one older than ten minutes is taken to be left by a crashed process).
 */
export async function withMigrationLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  if (db.target.dialect === 'sqlite') return withLockFile(`${db.target.storage}.migrate.lock`, work);
  return db.sequelize.transaction(async (transaction) => {
    const [row] = await db.sequelize.query<{ acquired: number | null }>('SELECT GET_LOCK(?, ?) AS acquired', {
      replacements: [lockName, waitSeconds],
      type: QueryTypes.SELECT,
      transaction,
    });
    if (Number(row?.acquired) !== 1) throw new Error(`could not take the migration lock within ${waitSeconds} s`);
    try {
      return await work();
    } finally {
      await db.sequelize.query('SELECT RELEASE_LOCK(?)', { replacements: [lockName], transaction });
    }
  });
}

async function withLockFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  const deadline = monotonicMs() + waitSeconds * 1000;
  for (;;) {
    try {
      closeSync(openSync(file, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(file)) rmSync(file, { force: true });
      else if (monotonicMs() > deadline) throw new Error(`could not take the migration lock ${file} within ${waitSeconds} s`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}

function isStale(file: string): boolean {
  try {
    // The file's age by the filesystem's own clock: the wall clock, whatever clock the app runs on.
    return systemClock().getTime() - statSync(file).mtimeMs > staleFileMs;
  } catch {
    return false;
  }
}
