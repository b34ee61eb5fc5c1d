import type { InboundEvent } from '../../src/ingest/inbound-event';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushSettings, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/** More rows than SQLite lets one CASE name (it refuses expression trees deeper than 1,000). */
const people = 1200;
/** Midday in Shanghai: the push goes out as mass, outside the default quiet hours, whatever the hour of the run. */
const now = new Date('2026-06-15T04:00:00Z');

describe('statements over many rows at once', () => {
  let fake: FakeWechatApi;
  let app: TestApp;

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: { ...pushSettings(), worker: { enabled: false, batchSize: people, ratePerSecond: 10_000 } },
      },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const follows = (): InboundEvent[] =>
    Array.from({ length: people }, (_, index) => ({
      key: `follow-${index}`,
      type: 'subscribe',
      channel: 'wechat',
      occurredAt: new Date(now.getTime() - 60_000),
      identities: [{ type: 'openid', scope: 'default', value: `oCrowd${String(index).padStart(5, '0')}` }],
      properties: { account: 'default' },
      tags: { add: ['crowd'] },
    }));

  it('processes a thousand new people as one inbox group, and settles a claim of 1,200 push recipients', async () => {
    await app.persona.accept('test', follows());
    const claimed = await app.persona.inbox.claim('test-worker', 1000, 60_000);
    expect(claimed).toHaveLength(1000);
    // One transaction for the group (the worker would fall back to one entry at a time if it threw).
    const outcomes = await app.persona.pipeline.processBatch(claimed);
    expect(new Set(outcomes)).toEqual(new Set(['processed']));
    await app.persona.worker.drain();

    const planned = (await (
      await app.request('/api/pushes', {
        method: 'POST',
        json: { expression: 'tag:crowd', content: { message: { type: 'text', text: '大家好' } } },
      })
    ).json()) as { id: number; plan: { channels: { mass: number } } };
    expect(planned.plan.channels.mass).toBe(people);
    expect((await app.request(`/api/pushes/${planned.id}/confirm`, { method: 'POST' })).status).toBe(200);
    await app.persona.pushWorker.drain();
    expect(fake.massSends.flatMap((send) => send.touser)).toHaveLength(people);
    const shown = (await (await app.request(`/api/pushes/${planned.id}`)).json()) as {
      status: string;
      report: { byStatus: Record<string, number> };
    };
    expect(shown).toMatchObject({ status: 'done', report: { byStatus: { sent: people } } });
  });

  it('writes a group whose rows bind more values than one statement may (SQLite: 32,766)', async () => {
    // 1,000 events with 40 properties each: 280,000 values for the property index alone.
    const properties = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`field${index}`, `value ${index}`]),
    );
    await app.persona.accept(
      'test',
      follows()
        .slice(0, 1000)
        .map((event) => ({ ...event, type: 'page_view', channel: 'website', properties })),
    );
    const claimed = await app.persona.inbox.claim('test-worker', 1000, 60_000);
    const outcomes = await app.persona.pipeline.processBatch(claimed);
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1000);
    const [{ n }] = await app.persona.db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM event_properties WHERE type = 'page_view'",
    );
    expect(Number(n)).toBe(40_000);
  });
});
