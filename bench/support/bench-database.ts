import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

/**
 * A database of its own for one benchmark run, on DATABASE_URL's server: a temporary SQLite file when unset (or
 * sqlite:), else a fresh database on that MySQL server, dropped afterwards.
 */
export async function prepareBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const given = process.env.DATABASE_URL;
  if (!given || given.startsWith('sqlite')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-bench-'));
    return {
      url: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = new URL(given);
  const name = `persona_bench_${randomUUID().slice(0, 8)}`;
  const admin = () =>
    createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
  const connection = await admin();
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  server.pathname = `/${name}`;
  return {
    url: server.toString(),
    drop: async () => {
      const dropper = await admin();
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await dropper.end();
    },
  };
}
