import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { QueryTypes } from 'sequelize';
import { monotonicMs, systemClock } from '../util/clock';
import type { Database } from './database';

const lockName = 'persona_migrations';
const waitSeconds = 60;
const staleFileMs = 10 * 60 * 1000;

/**
 * Runs `work` (migrations) while holding a lock shared by every instance on this database, so instances starting
 * together don't run the same migration twice. MySQL: a named lock (GET_LOCK) held by one pinned connection. SQLite:
 * a lock file beside the database, holding when it was taken (one older than ten minutes is taken to be left by a
 * crashed process).
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
      writeFileSync(file, String(systemClock().getTime()), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(file)) rmSync(file, { force: true });
      else if (monotonicMs() > deadline)
        throw new Error(`could not take the migration lock ${file} within ${waitSeconds} s`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * By the time written in the file, on the processes' own clock: the filesystem's mtime may be on another (libfaketime
 * doesn't reach the statx call Node makes). An empty file is one being written this instant, or left by a process that
 * died doing it: its mtime decides.
 */
function isStale(file: string): boolean {
  try {
    const written = Number(readFileSync(file, 'utf8')) || statSync(file).mtimeMs;
    return systemClock().getTime() - written > staleFileMs;
  } catch {
    return false;
  }
}
