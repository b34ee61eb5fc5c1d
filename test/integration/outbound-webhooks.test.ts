import { signTimestampedHmac, verifyTimestampedHmac } from '../../src/util/timestamped-hmac';
import { startFakeReceiver } from '../support/fake-receiver';
import { crmSecret, outboundSecret, startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

type Receiver = Awaited<ReturnType<typeof startFakeReceiver>>;

describe('outbound webhooks', () => {
  let database: TestDatabase;
  let app: TestApp | undefined;
  let flaky: Receiver;
  let dead: Receiver;
  let deadRecovered = false;

  beforeEach(async () => {
    database = await createTestDatabase();
    // Down for three attempts (an error, an overload with Retry-After, an error), then fine.
    flaky = await startFakeReceiver((n) => {
      if (n === 2) return { status: 429, headers: { 'retry-after': '1' } };
      return n <= 3 ? { status: 500, body: 'CRM is down' } : { status: 204 };
    });
    deadRecovered = false;
    dead = await startFakeReceiver(() => (deadRecovered ? { status: 200 } : { status: 503, body: 'gone fishing' }));
  });

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await flaky.close();
    await dead.close();
    await database.drop();
  });

  function start() {
    return startTestApp(
      {
        plugins: {
          'crm-webhook': {
            enabled: true,
            sources: [{ name: 'crm', secret: 'env:CRM_WEBHOOK_SECRET' }],
            statusTags: { MQL: 'crm/mql' },
          },
        },
        webhooks: {
          maxAttempts: 5,
          retryBaseMs: 10,
          subscribers: [
            { name: 'flaky-crm', url: flaky.url, secret: 'env:OUTBOUND_WEBHOOK_SECRET', events: ['profile.tag_added'] },
            {
              name: 'dead-crm',
              url: dead.url,
              secret: 'env:OUTBOUND_WEBHOOK_SECRET',
              events: ['profile.tag_added', 'profile.merged'],
            },
          ],
        },
      },
      database,
    );
  }

  async function crmLead() {
    const raw = JSON.stringify({
      events: [
        {
          id: 'e-1',
          type: 'lead.created',
          occurredAt: '2026-11-22T10:00:00Z',
          lead: { id: 'L-7', email: 'li.na@example.com', status: 'MQL' },
        },
      ],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${app?.url}/webhooks/crm/crm`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-persona-timestamp': String(timestamp),
        'x-persona-signature': signTimestampedHmac(crmSecret, timestamp, raw),
      },
      body: raw,
    });
    expect(response.status).toBe(202);
    await app?.persona.worker.drain();
  }

  /** One delivery round, with whatever is waiting for its backoff made due (tests don't wait for clocks). */
  async function round(current: TestApp) {
    await current.persona.db.execute("UPDATE webhook_deliveries SET available_at = ? WHERE status = 'pending'", [
      new Date(Date.now() - 1),
    ]);
    return current.persona.webhooks.runOnce();
  }

  async function deliveries(current: TestApp, query = '') {
    const response = await current.request(`/api/webhooks/deliveries${query}`);
    expect(response.status).toBe(200);
    return (
      (await response.json()) as {
        deliveries: {
          id: number;
          subscriber: string;
          status: string;
          attempts: number;
          lastError: string | null;
          eventId: string;
        }[];
      }
    ).deliveries;
  }

  it('delivers each event once a failing subscriber recovers, parks a dead one, and loses nothing across a restart', async () => {
    app = await start();
    await crmLead();
    expect((await deliveries(app)).map((delivery) => [delivery.subscriber, delivery.status]).sort()).toEqual([
      ['dead-crm', 'pending'],
      ['flaky-crm', 'pending'],
    ]);

    await round(app);
    await round(app);
    // A restart between attempts: the outbox is in the database.
    await app.stop();
    app = await start();
    for (let n = 0; n < 5; n += 1) await round(app);

    // The flaky one: four attempts, the fourth accepted; the same signed event every time.
    expect(flaky.requests).toHaveLength(4);
    const ids = new Set(flaky.requests.map((request) => request.headers['x-persona-delivery']));
    expect(ids.size).toBe(1);
    for (const request of flaky.requests) {
      expect(() =>
        verifyTimestampedHmac({
          secret: outboundSecret,
          timestamp: request.headers['x-persona-timestamp'] as string,
          signature: request.headers['x-persona-signature'] as string,
          rawBody: Buffer.from(request.body),
          toleranceSeconds: 300,
          now: Date.now(),
        }),
      ).not.toThrow();
    }
    const body = JSON.parse(flaky.requests[3].body) as Record<string, unknown>;
    expect(body).toEqual(
      expect.objectContaining({
        id: [...ids][0],
        type: 'profile.tag_added',
        data: { tag: 'crm/mql', category: 'crm', source: 'crm' },
        identities: expect.arrayContaining([
          { type: 'email', scope: '', value: 'li.na@example.com' },
          { type: 'crm_id', scope: 'crm', value: 'L-7' },
        ]),
      }),
    );
    expect(flaky.requests[3].headers['x-persona-event']).toBe('profile.tag_added');

    // The dead one: five attempts, then the dead-letter list.
    expect(dead.requests).toHaveLength(5);
    const failed = await deliveries(app, '?status=failed');
    expect(failed).toEqual([
      expect.objectContaining({ subscriber: 'dead-crm', attempts: 5, lastError: 'HTTP 503: gone fishing' }),
    ]);
    expect(await round(app)).toBe(0);

    // Retried by an operator once it is back: delivered, with the same event id.
    deadRecovered = true;
    const retried = await app.request(`/api/webhooks/deliveries/${failed[0].id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    await round(app);
    expect(dead.requests).toHaveLength(6);
    expect(dead.requests[5].headers['x-persona-delivery']).toBe(failed[0].eventId);
    expect((await deliveries(app)).map((delivery) => delivery.status)).toEqual(['delivered', 'delivered']);
    expect((await app.request(`/api/webhooks/deliveries/${failed[0].id}/retry`, { method: 'POST' })).status).toBe(409);
  });

  it('queues an event once however often its timeline write is retried, and validates the API input', async () => {
    app = await start();
    await crmLead();
    // The same CRM event again: a duplicate, so no second tag_added and no second delivery.
    await crmLead();
    expect(await deliveries(app)).toHaveLength(2);
    expect((await app.request('/api/webhooks/deliveries?status=lost')).status).toBe(400);
    expect((await app.request('/api/webhooks/deliveries/abc/retry', { method: 'POST' })).status).toBe(400);
    expect((await app.request('/api/webhooks/deliveries/999999/retry', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/api/webhooks/deliveries', { auth: null })).status).toBe(401);
  });
});
