import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

/** A fresh, empty database for one test file: its URL and how to drop it. */
export interface TestDatabase {
  url: string;
  dialect: 'sqlite' | 'mysql';
  drop(): Promise<void>;
}

/**
 * SQLite (a temp file) by default; with `TEST_DATABASE_URL=mysql://…` a new database on that server, named uniquely
 * so parallel runs never collide, dropped afterwards.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || server.startsWith('sqlite')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-test-'));
    return {
      url: `sqlite:${path.join(dir, 'persona.sqlite')}`,
      dialect: 'sqlite',
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = new URL(server);
  const name = `persona_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = () =>
    createConnection({
      host: base.hostname,
      port: Number(base.port || 3306),
      user: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
    });
  const connection = await admin();
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dialect: 'mysql',
    drop: async () => {
      const dropper = await admin();
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await dropper.end();
    },
  };
}
