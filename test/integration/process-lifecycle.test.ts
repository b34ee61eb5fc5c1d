import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../src/db/database';
import { spawnServer, writeConfig } from '../support/server-process';
import { adminToken } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { killTrackedProcesses, processTimeoutMs } from '../support/test-processes';
import { waitFor } from '../support/wait-for';

// Room for each process wait of a test (three at most) to run to its ceiling in turn: a wait that fails then says what
// it waited for, where a jest timeout would not.
jest.setTimeout(4 * processTimeoutMs);

/** Real server processes on one database: crashes, signals, and jobs across instances. */
describe('server processes', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    // A test that failed before stopping its servers must not leave them on the database being dropped.
    await killTrackedProcesses();
    await database.drop();
  });

  const baseConfig = (extra: Record<string, unknown> = {}) => ({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: database.url },
    log: { level: 'info' },
    ...extra,
  });

  const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };

  it('loses nothing when SIGKILLed after answering but before the worker ran', async () => {
    const first = await spawnServer({
      configFile: writeConfig(baseConfig({ ingest: { worker: { enabled: false } }, jobs: { enabled: false } })),
    });
    const event = { id: 'crash-1', type: 'form_submit', identities: { email: 'crash@example.com' } };
    const response = await fetch(`${first.url}/api/events`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(event),
    });
    expect(response.status).toBe(202);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const db = new Database({ url: database.url });
    try {
      const pending = await db.select<{ status: string }>('SELECT status FROM inbox');
      expect(pending).toEqual([{ status: 'pending' }]);

      const second = await spawnServer({
        configFile: writeConfig(baseConfig({ ingest: { worker: { pollIntervalMs: 50 } } })),
      });
      try {
        await waitFor(
          async () => {
            const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM inbox WHERE status = 'done'");
            return Number(n) === 1;
          },
          processTimeoutMs,
          'the restarted server to drain the inbox',
        );
        // Posting it again after the restart still leaves one event.
        await fetch(`${second.url}/api/events`, { method: 'POST', headers: auth, body: JSON.stringify(event) });
        const found = await fetch(`${second.url}/api/profiles?identity=email:crash@example.com`, { headers: auth });
        const [{ id }] = ((await found.json()) as { profiles: { id: number }[] }).profiles;
        const timeline = await fetch(`${second.url}/api/profiles/${id}/timeline`, { headers: auth });
        const { events } = (await timeline.json()) as { events: { type: string }[] };
        // The event once, and what the default rules made of it once (a known non-follower is a potential follower,
        // and active this month).
        expect(events.map((e) => e.type)).toEqual(['lifecycle_changed', 'tag_added', 'tag_added', 'form_submit']);
        const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE type = 'form_submit'");
        expect(Number(n)).toBe(1);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await db.close();
    }
  });

  it('runs each tick of a job once across two processes sharing the database', async () => {
    const effects = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-effects-')), 'runs.log');
    const config = writeConfig(
      baseConfig({
        pluginDirs: ['plugins', 'test/fixtures/plugins'],
        plugins: { probe: { enabled: true, effectsFile: effects, jobSchedule: '* * * * * *' } },
      }),
    );
    const [a, b] = await Promise.all([spawnServer({ configFile: config }), spawnServer({ configFile: config })]);
    const runs = () => {
      try {
        return readFileSync(effects, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' '));
      } catch {
        return [];
      }
    };
    try {
      // Both processes are up and scheduling; wait for several ticks to have run.
      await waitFor(
        async () => new Set(runs().map(([tick]) => tick)).size >= 4,
        processTimeoutMs,
        'four ticks of the probe job',
      );
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect((await a.exited).code).toBe(0);
      expect((await b.exited).code).toBe(0);
    }
    const ticks = runs().map(([tick]) => tick);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ticks).size).toBe(ticks.length); // no tick ran twice
    // Each run the processes logged matches one recorded effect: no run happened that the file doesn't show.
    const started = [...a.lines, ...b.lines].filter((line) => line.job === 'probe.tick' && line.msg === 'job started');
    expect(started.length).toBe(ticks.length);
  });

  it('finishes an in-flight request on SIGTERM, then exits cleanly', async () => {
    const server = await spawnServer({
      configFile: writeConfig(
        baseConfig({
          pluginDirs: ['plugins', 'test/fixtures/plugins'],
          plugins: { probe: { enabled: true, slowRouteMs: 700 } },
        }),
      ),
    });
    const inFlight = fetch(`${server.url}/probe/slow`);
    await server.waitForLog((line) => line.msg === 'probe: slow request started', 'the slow request to start');
    server.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect((await server.exited).code).toBe(0);
    expect(server.lines.some((line) => line.msg === 'stopped')).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('refuses to start on an invalid config value, naming the key', async () => {
    const server = await spawnServer({ env: { PORT: 'abc', DATABASE_URL: database.url }, expectListening: false });
    expect((await server.exited).code).toBe(1);
    expect(server.stderr.join('')).toContain(
      'server.port (from PORT): expected a number between 0 and 65535, got "abc"',
    );
  });
});
