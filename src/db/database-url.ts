import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors/app.errors';

/** Where the data lives, parsed from `database.url`. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; storage: string; temporary: boolean; display: string }
  | {
      dialect: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      /** The URL with its password masked, for logs. */
      display: string;
    };

/**
 * `sqlite::memory:` becomes a throwaway file in the temp folder, removed at close: Sequelize shares a single connection
 * for SQLite's true in-memory mode, which would mix concurrent transactions; a private file behaves like production.
 */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (url === 'sqlite::memory:' || url === 'sqlite://:memory:') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-'));
    return { dialect: 'sqlite', storage: path.join(dir, 'memory.sqlite'), temporary: true, display: 'sqlite::memory:' };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new ConfigError(['database.url: expected a file after sqlite:, e.g. sqlite:data/persona.sqlite']);
    const storage = path.resolve(cwd, file);
    return { dialect: 'sqlite', storage, temporary: false, display: `sqlite:${storage}` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(['database.url: expected mysql://user:password@host:port/database']);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new ConfigError([`database.url: unsupported scheme "${parsed.protocol}", expected sqlite: or mysql://`]);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database)
    throw new ConfigError([
      'database.url: expected a database name after the host, e.g. mysql://root@127.0.0.1:3306/persona',
    ]);
  const masked = new URL(url);
  if (masked.password) masked.password = '***';
  return {
    dialect: 'mysql',
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    display: masked.toString(),
  };
}
