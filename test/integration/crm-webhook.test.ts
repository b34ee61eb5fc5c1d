import { wechatSampleAccountPlugin } from '../support/inbound-senders';
import { signTimestampedHmac } from '../../src/util/timestamped-hmac';
import { crmSecret, startTestApp, type TestApp, websiteSecret } from '../support/test-app';
import { signedPost, textMessage, sampleAccount } from '../support/wechat-client';

const lead = (overrides: Record<string, unknown> = {}) => ({
  id: 'L-1001',
  email: 'Zhang.Wei@Example.com',
  phone: '139 1234 5678',
  name: '张伟',
  city: 'Shanghai',
  company: 'Acme',
  status: 'MQL',
  ...overrides,
});

describe('generic CRM webhook', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({
      plugins: {
        'crm-webhook': { enabled: true, sources: [{ name: 'crm', secret: 'env:CRM_WEBHOOK_SECRET' }] },
        website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET' },
        'wechat-official-account': wechatSampleAccountPlugin,
      },
    });
  });

  afterEach(async () => {
    await app.stop();
  });

  function signed(path: string, body: unknown, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
    const raw = JSON.stringify(body);
    return fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-persona-timestamp': String(timestamp),
        'x-persona-signature': signTimestampedHmac(secret, timestamp, raw),
      },
      body: raw,
    });
  }

  const crm = (events: unknown[], timestamp?: number) => signed('/webhooks/crm/crm', { events }, crmSecret, timestamp);

  async function count(table: string): Promise<number> {
    const [{ n }] = await app.persona.db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(n);
  }

  it('joins a follower, their website visit and their CRM lead into one profile', async () => {
    const follow = signedPost(sampleAccount, textMessage('oFollower', '你好', '501'));
    expect((await fetch(`${app.url}/wechat?${follow.query}`, { method: 'POST', body: follow.body })).status).toBe(200);
    await app.persona.worker.drain();
    // The site knows the follower's openid (WeChat sign-in) and now their phone.
    const beacon = { id: 'w-1', type: 'form_submit', openid: 'oFollower', phone: '13912345678' };
    expect((await signed('/webhooks/website', beacon, websiteSecret)).status).toBe(202);
    await app.persona.worker.drain();
    const created = await crm([
      { id: 'e-1', type: 'lead.created', occurredAt: '2026-11-20T10:00:00+08:00', lead: lead() },
    ]);
    expect(created.status).toBe(202);
    await app.persona.worker.drain();

    expect(await count('profiles')).toBe(1);
    const found = await app.request('/api/profiles?identity=crmId:crm:L-1001');
    const [view] = ((await found.json()) as { profiles: Awaited<ReturnType<typeof app.persona.profiles.get>>[] })
      .profiles;
    expect((await (await app.request('/api/profiles?identity=openid:default:oFollower')).json()) as unknown).toEqual({
      profiles: [view],
    });
    expect(view.identities).toEqual(
      expect.arrayContaining([
        { type: 'openid', scope: 'default', value: 'oFollower' },
        { type: 'phone', scope: '', value: '+8613912345678' },
        { type: 'email', scope: '', value: 'zhang.wei@example.com' },
        { type: 'crm_id', scope: 'crm', value: 'L-1001' },
      ]),
    );
    expect(view.attributes).toEqual(
      expect.objectContaining({
        name: expect.objectContaining({ value: '张伟', source: 'crm' }),
        crmStatus: expect.objectContaining({ value: 'MQL', source: 'crm' }),
      }),
    );
    const { events } = await app.persona.timeline.list(view.id, { limit: 50 });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['message', 'form_submit', 'lead_created']),
    );
  });

  it('records status changes and won deals in fen', async () => {
    await crm([
      {
        id: 'e-2',
        type: 'lead.status_changed',
        occurredAt: '2026-11-21T10:00:00Z',
        lead: lead({ status: 'SQL', previousStatus: 'MQL' }),
      },
      {
        id: 'e-3',
        type: 'deal.won',
        occurredAt: '2026-11-22T10:00:00Z',
        lead: lead(),
        deal: { id: 'D-9', amount: 1299.5, currency: 'CNY', stage: 'closedwon' },
      },
    ]);
    await app.persona.worker.drain();
    const [row] = await app.persona.db.select<{ profile_id: number }>(
      "SELECT profile_id FROM identities WHERE type = 'crm_id'",
    );
    const { events } = await app.persona.timeline.list(Number(row.profile_id), { limit: 50 });
    expect(events.find((event) => event.type === 'deal_won')?.properties).toEqual({
      crm: 'crm',
      leadId: 'L-1001',
      dealId: 'D-9',
      currency: 'CNY',
      stage: 'closedwon',
      amount: 129950,
    });
    expect(events.find((event) => event.type === 'lead_status_changed')?.properties).toEqual(
      expect.objectContaining({ from: 'MQL', to: 'SQL' }),
    );
  });

  it('dates an event without occurredAt at its receipt, as POST /api/events does', async () => {
    const before = Date.now();
    const response = await crm([{ id: 'e-undated', type: 'lead.updated', lead: lead({ city: 'Ningbo' }) }]);
    expect(response.status).toBe(202);
    const after = Date.now();
    await app.persona.worker.drain();
    const [event] = await app.persona.db.select<{ occurred_at: unknown }>(
      "SELECT occurred_at FROM events WHERE type = 'lead_updated'",
    );
    const at = app.persona.db.parseTime(event.occurred_at)?.getTime() ?? 0;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });

  it('does nothing beyond its answer for a wrong signature, a 10-minute-old timestamp or a replayed event id', async () => {
    const event = { id: 'e-4', type: 'lead.created', occurredAt: '2026-11-20T10:00:00Z', lead: lead() };
    expect((await signed('/webhooks/crm/crm', { events: [event] }, 'not-the-crm-secret-0123')).status).toBe(401);
    expect((await crm([event], Math.floor(Date.now() / 1000) - 600)).status).toBe(401);
    expect(await count('inbox')).toBe(0);
    expect((await crm([event])).status).toBe(202);
    await app.persona.worker.drain();
    const before = [await count('events'), await count('profiles'), await count('attributes')];
    expect((await crm([{ ...event, lead: lead({ city: 'Beijing' }) }])).status).toBe(202);
    await app.persona.worker.drain();
    expect([await count('events'), await count('profiles'), await count('attributes')]).toEqual(before);
  });

  it('reports bad events by index and stores the good ones', async () => {
    const response = await crm([
      { id: 'e-5', type: 'lead.exploded', occurredAt: '2026-11-20T10:00:00Z', lead: lead() },
      { id: 'e-6', type: 'deal.won', occurredAt: '2026-11-20T10:00:00Z', lead: lead() },
      { id: 'e-7', type: 'lead.updated', occurredAt: '2026-11-20T10:00:00Z', lead: lead({ email: 'not-an-email' }) },
      { id: 'e-8', type: 'lead.updated', occurredAt: '2026-11-20T10:00:00Z', lead: lead() },
    ]);
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      accepted: number;
      errors: { index: number; problems: { path: string }[] }[];
    };
    expect(body.accepted).toBe(1);
    expect(body.errors.map((error) => [error.index, error.problems[0].path])).toEqual([
      [0, 'type'],
      [1, 'deal'],
      [2, 'lead.email'],
    ]);
  });

  it('makes one profile from 20 parallel webhooks for the same new email', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        crm([
          {
            id: `p-${index}`,
            type: 'lead.updated',
            occurredAt: '2026-11-20T10:00:00Z',
            lead: { id: `L-${index}`, email: 'same.new@example.com' },
          },
        ]),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(202));
    const { persona } = app;
    const { InboxWorker } = await import('../../src/ingest/inbox.worker');
    const workers = Array.from(
      { length: 4 },
      () =>
        new InboxWorker(
          persona.inbox,
          persona.pipeline,
          { ...persona.config.ingest.worker, batchSize: 1, entriesPerTransaction: 1 },
          persona.log,
          persona.metrics,
        ),
    );
    await Promise.all(workers.map((worker) => worker.drain()));
    const retried = await app.persona.db.select<{ status: string; last_error: string }>(
      "SELECT status, last_error FROM inbox WHERE status <> 'done'",
    );
    expect(retried).toEqual([]);
    expect(await count('profiles')).toBe(1);
    expect(await count('events')).toBe(20);
    expect(await count('identities')).toBe(21); // the email and 20 CRM ids
  });
});
