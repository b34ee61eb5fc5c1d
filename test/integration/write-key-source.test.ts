import { startTestApp, type TestApp, testEnv, writeKey } from '../support/test-app';

interface ProfileBody {
  id: number;
  attributes: Record<string, { value: unknown; source: string }>;
  firstTouch: { channel: string | null } | null;
}

const shopKey = 'test-shop-key-0123456789abcdef';

/** A write key states attributes as what it is (`api`, or the source configured for it), whatever channel it names. */
describe('a write key writes attributes as itself', () => {
  let app: TestApp;

  beforeAll(async () => {
    testEnv.TEST_SHOP_KEY = shopKey;
    app = await startTestApp({
      auth: {
        writeKeys: [
          { name: 'test-writer', key: 'env:TEST_WRITE_KEY' },
          { name: 'shop', key: 'env:TEST_SHOP_KEY', source: 'website' },
        ],
      },
    });
  });

  afterAll(async () => {
    await app.stop();
    delete testEnv.TEST_SHOP_KEY;
  });

  async function send(auth: string, email: string, event: Record<string, unknown>) {
    const response = await app.request('/api/events', {
      method: 'POST',
      auth,
      json: { type: 'form_submit', occurredAt: '2026-11-02T00:00:00Z', identities: { email }, ...event },
    });
    expect(response.status).toBe(202);
    await app.persona.worker.drain();
  }

  async function profile(email: string): Promise<ProfileBody> {
    const found = await app.request(`/api/profiles?identity=email:${email}`);
    return ((await found.json()) as { profiles: ProfileBody[] }).profiles[0];
  }

  async function changes(id: number) {
    const { events } = await app.persona.timeline.list(id, { limit: 50 });
    return events.filter((event) => event.type === 'attribute_changed').map((event) => event.properties);
  }

  it("can't turn an operator's opt-out into an opt-in by naming the operator's channel", async () => {
    await send(writeKey, 'optout@example.com', {
      id: 'o1',
      occurredAt: '2026-11-01T00:00:00Z',
      attributes: { city: 'Suzhou' },
    });
    const { id } = await profile('optout@example.com');
    const patched = await app.request(`/api/profiles/${id}`, {
      method: 'PATCH',
      json: { attributes: { marketingConsent: false } },
    });
    expect(patched.status).toBe(200);

    await send(writeKey, 'optout@example.com', {
      id: 'o2',
      channel: 'operator',
      attributes: { marketingConsent: true, city: 'Hangzhou' },
    });
    const after = await profile('optout@example.com');
    expect(after.attributes.marketingConsent).toEqual(expect.objectContaining({ value: false, source: 'operator' }));
    // What the key may say it says as `api`, and the timeline says so.
    expect(after.attributes.city).toEqual(expect.objectContaining({ value: '杭州', source: 'api' }));
    const said = await changes(id);
    expect(said).toContainEqual({ name: 'city', from: '苏州', to: '杭州', source: 'api' });
    expect(said.filter((change) => change.name === 'marketingConsent')).toEqual([
      { name: 'marketingConsent', from: null, to: false, source: 'operator' },
    ]);
  });

  it("can't record the events only Persona writes: outbound webhooks and push automations trust them", async () => {
    const forged = await app.request('/api/events', {
      method: 'POST',
      auth: writeKey,
      json: {
        events: [
          { type: 'tag_added', identities: { email: 'forged@example.com' }, properties: { tag: 'vip/gold' } },
          {
            type: 'attribute_changed',
            identities: { email: 'forged@example.com' },
            properties: { name: 'marketingConsent', from: false, to: true },
          },
        ],
      },
    });
    expect(forged.status).toBe(400);
    const body = (await forged.json()) as {
      error: { details: { errors: { problems: { path: string; message: string }[] }[] } };
    };
    expect(body.error.details.errors.map((error) => error.problems)).toEqual([
      [{ path: 'type', message: 'tag_added is recorded by Persona itself; no inbound event may claim it' }],
      [{ path: 'type', message: 'attribute_changed is recorded by Persona itself; no inbound event may claim it' }],
    ]);
    const asAdmin = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'score_crossed', identities: { email: 'forged@example.com' } },
    });
    expect(asAdmin.status).toBe(400);
  });

  it('keeps the channel as the channel', async () => {
    await send(writeKey, 'channel@example.com', { id: 'c1', channel: 'crm', attributes: { company: 'Acme' } });
    const p = await profile('channel@example.com');
    expect(p.firstTouch?.channel).toBe('crm');
    expect(p.attributes.company).toEqual(expect.objectContaining({ value: 'Acme', source: 'api' }));
    const { events } = await app.persona.timeline.list(p.id, { limit: 50 });
    expect(events.find((event) => event.type === 'form_submit')?.channel).toBe('crm');
  });

  it('writes as the source configured for the key', async () => {
    await send(shopKey, 'shop@example.com', { id: 's1', channel: 'operator', attributes: { city: 'Ningbo' } });
    const p = await profile('shop@example.com');
    expect(p.attributes.city).toEqual(expect.objectContaining({ value: '宁波', source: 'website' }));
    // A CRM value outranks the shop's website source, so a later shop event doesn't overwrite it.
    const crm = await app.request('/api/events', {
      method: 'POST',
      json: {
        id: 's2',
        type: 'lead_updated',
        channel: 'crm',
        occurredAt: '2026-11-03T00:00:00Z',
        identities: { email: 'shop@example.com' },
        attributes: { city: 'Wuxi' },
      },
    });
    expect(crm.status).toBe(202);
    await app.persona.worker.drain();
    await send(shopKey, 'shop@example.com', {
      id: 's3',
      occurredAt: '2026-11-04T00:00:00Z',
      attributes: { city: 'Ningbo' },
    });
    expect((await profile('shop@example.com')).attributes.city).toEqual(
      expect.objectContaining({ value: '无锡', source: 'crm' }),
    );
  });
});
