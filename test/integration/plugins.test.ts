import { Persona } from '../../src/app';
import { loadConfig } from '../../src/config/config-loader';
import { signTimestampedHmac } from '../../src/util/timestamped-hmac';
import { createLogger } from '../../src/logging/logger';
import { startTestApp, type TestApp, testEnv, websiteSecret } from '../support/test-app';

const withPlugins = (plugins: Record<string, unknown>) => ({
  pluginDirs: ['plugins', 'test/fixtures/plugins'],
  plugins,
});

function signed(body: unknown, options: { secret?: string; timestamp?: number } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    auth: null,
    headers: {
      'content-type': 'application/json',
      'x-persona-timestamp': String(timestamp),
      'x-persona-signature': signTimestampedHmac(options.secret ?? websiteSecret, timestamp, raw),
    },
    body: raw,
  };
}

describe('website plugin', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp(withPlugins({ website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET' } }));
  });

  afterEach(async () => {
    await app.stop();
  });

  async function inboxCount(): Promise<number> {
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM inbox');
    return Number(n);
  }

  it('feeds signed beacons into the same inbox and timeline', async () => {
    const beacons = {
      events: [
        {
          id: 'b1',
          type: 'page_view',
          anonymousId: 'visitor-1',
          url: 'https://brand.cn/',
          occurredAt: '2026-11-22T01:00:00Z',
        },
        {
          id: 'b2',
          type: 'article_view',
          anonymousId: 'visitor-1',
          properties: { articleId: 'a7', topic: 'tech' },
          occurredAt: '2026-11-22T01:05:00Z',
        },
        { id: 'b3', type: 'teleport', anonymousId: 'visitor-1' },
      ],
    };
    const response = await app.request('/webhooks/website', signed(beacons));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: number; errors: { index: number }[] };
    expect(body.accepted).toBe(2);
    expect(body.errors.map((error) => error.index)).toEqual([2]);
    await app.persona.worker.drain();
    const found = await app.request('/api/profiles?identity=anonymousId:visitor-1');
    const [{ id }] = ((await found.json()) as { profiles: { id: number }[] }).profiles;
    const timeline = (await (await app.request(`/api/profiles/${id}/timeline`)).json()) as {
      events: { type: string; channel: string; source: string; properties: Record<string, unknown> }[];
    };
    expect(timeline.events).toEqual([
      expect.objectContaining({
        type: 'article_view',
        channel: 'website',
        source: 'website',
        properties: { articleId: 'a7', topic: 'tech' },
      }),
      expect.objectContaining({
        type: 'page_view',
        channel: 'website',
        source: 'website',
        properties: { url: 'https://brand.cn/' },
      }),
    ]);
  });

  it('refuses unsigned, wrongly signed and stale beacons before reading them, storing nothing', async () => {
    const beacon = { id: 'x1', type: 'page_view', anonymousId: 'visitor-2' };
    const unsigned = await app.request('/webhooks/website', { method: 'POST', auth: null, json: beacon });
    expect(unsigned.status).toBe(401);
    const wrong = await app.request('/webhooks/website', signed(beacon, { secret: 'another-secret-0123456789' }));
    expect(wrong.status).toBe(401);
    const stale = await app.request(
      '/webhooks/website',
      signed(beacon, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toContain('seconds from now');
    const tampered = signed(beacon);
    tampered.body = tampered.body.replace('visitor-2', 'visitor-3');
    expect((await app.request('/webhooks/website', tampered)).status).toBe(401);
    expect(await inboxCount()).toBe(0);
  });

  it('answers 413 past its body limit', async () => {
    const big = { id: 'big', type: 'page_view', anonymousId: 'v', properties: { pad: 'x'.repeat(300 * 1024) } };
    expect((await app.request('/webhooks/website', signed(big))).status).toBe(413);
    expect(await inboxCount()).toBe(0);
  });
});

describe('plugin host', () => {
  const log = createLogger({ level: 'silent' });
  const configWith = (plugins: Record<string, unknown>, env = testEnv) =>
    loadConfig({ env, overrides: { database: { url: 'sqlite::memory:' }, ...withPlugins(plugins) } });

  it('stops start-up when a plugin’s config is invalid, naming the plugin and the key', () => {
    expect(
      () =>
        new Persona(
          configWith({ website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET', toleranceSeconds: -5 } }),
          log,
        ),
    ).toThrow(
      /plugin "website": invalid configuration:\n {2}plugins\.website\.toleranceSeconds: expected a number between 0 and 86400, got -5/,
    );
    expect(
      () => new Persona(configWith({ website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET' } }, {}), log),
    ).toThrow('plugins.website.secret: environment variable WEBSITE_WEBHOOK_SECRET is not set');
    expect(
      () => new Persona(configWith({ website: { enabled: true, secret: 'a-literal-secret-in-a-file' } }), log),
    ).toThrow('plugins.website.secret: secrets come from the environment');
    expect(() => new Persona(configWith({ nonexistent: { enabled: true } }), log)).toThrow(
      'plugin "nonexistent": enabled in config but not found',
    );
  });

  it('stops start-up when a plugin’s setup throws, naming the plugin', async () => {
    const persona = new Persona(configWith({ probe: { enabled: true, failSetup: true } }), log);
    await expect(persona.start({ listen: false })).rejects.toThrow(
      'plugin "probe": setup failed: probe was told to fail',
    );
    await persona.stop();
  });

  it('runs setup → start → stop once each, and stop undoes every registration', async () => {
    const app = await startTestApp(withPlugins({ probe: { enabled: true, effectsFile: '/dev/null' } }));
    try {
      expect((await app.request('/probe/slow', { auth: null })).status).toBe(200);
      expect((await app.request('/probe/admin', { auth: null })).status).toBe(401);
      expect((await app.request('/probe/admin')).status).toBe(200);
      await expect(app.persona.plugins.setup()).rejects.toThrow('plugins: setup called when already started');
      await expect(app.persona.plugins.start()).rejects.toThrow('plugins: start called when already started');
      await app.persona.plugins.stop();
      expect((await app.request('/probe/slow', { auth: null })).status).toBe(404);
      expect(() =>
        app.persona.jobs.register({ name: 'probe.tick', schedule: '* * * * *', run: async () => undefined }),
      ).not.toThrow();
      await expect(app.persona.plugins.stop()).rejects.toThrow('already stopped');
    } finally {
      await app.stop();
    }
  });
});
