import { startFakeHubspot } from '../support/fake-hubspot';
import { hubspotV3Signature } from '../support/hubspot-signer';
import { hubspotClientSecret, startTestApp, type TestApp } from '../support/test-app';

type FakeHubspot = Awaited<ReturnType<typeof startFakeHubspot>>;

const event = (overrides: Record<string, unknown>) => ({
  eventId: 100,
  subscriptionId: 2001,
  portalId: 62515,
  appId: 54321,
  occurredAt: Date.parse('2026-11-22T10:00:00Z'),
  subscriptionType: 'contact.creation',
  attemptNumber: 0,
  objectId: 512,
  changeSource: 'CRM',
  changeFlag: 'NEW',
  ...overrides,
});

describe('HubSpot webhooks', () => {
  let app: TestApp;
  let hubspot: FakeHubspot;

  beforeEach(async () => {
    hubspot = await startFakeHubspot();
    hubspot.objects.contacts.set('512', {
      id: '512',
      properties: {
        email: 'Xiaoming.Wang@Example.com',
        phone: '+86 139 0000 1234',
        firstname: '小明',
        lastname: '王',
        city: 'Hangzhou',
        company: 'Acme',
        lifecyclestage: 'marketingqualifiedlead',
      },
    });
    hubspot.objects.contacts.set('513', {
      id: '513',
      properties: { email: 'other@example.com', lifecyclestage: 'lead' },
    });
    hubspot.objects.deals.set('9001', {
      id: '9001',
      properties: { dealname: 'Annual plan', amount: '1299.50', dealstage: 'closedwon', deal_currency_code: 'CNY' },
      associations: { contacts: { results: [{ id: '512', type: 'deal_to_contact' }] } },
    });
    app = await startTestApp({
      plugins: {
        'crm-hubspot': {
          enabled: true,
          clientSecret: 'env:HUBSPOT_CLIENT_SECRET',
          accessToken: 'env:HUBSPOT_ACCESS_TOKEN',
          apiBaseUrl: hubspot.url,
          statusTags: { marketingqualifiedlead: 'crm/mql', salesqualifiedlead: 'crm/sql' },
          retryBaseMs: 1,
        },
      },
    });
  });

  afterEach(async () => {
    await app.stop();
    await hubspot.close();
  });

  function post(
    events: unknown[],
    options: { timestamp?: number; tamper?: (body: string) => string; signature?: (signature: string) => string } = {},
  ) {
    const body = JSON.stringify(events);
    const timestamp = options.timestamp ?? Date.now();
    const uri = `${app.url}/webhooks/hubspot`;
    const signature = hubspotV3Signature(hubspotClientSecret, 'POST', uri, body, timestamp);
    return fetch(uri, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': String(timestamp),
        'x-hubspot-signature-v3': options.signature ? options.signature(signature) : signature,
      },
      body: options.tamper ? options.tamper(body) : body,
    });
  }

  async function profileOf(crmId: string) {
    const response = await app.request(`/api/profiles?identity=crmId:hubspot:${crmId}`);
    const { profiles } = (await response.json()) as {
      profiles: {
        id: number;
        identities: { type: string; value: string }[];
        attributes: Record<string, { value: unknown; source: string }>;
        tags: { name: string }[];
      }[];
    };
    return profiles[0];
  }

  async function count(table: string): Promise<number> {
    const [{ n }] = await app.persona.db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(n);
  }

  it('accepts a signed contact.creation, reads the contact from the CRM API and builds the profile', async () => {
    const response = await post([event({})]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0, rejected: 0, errors: [] });
    await app.persona.worker.drain();
    const profile = await profileOf('512');
    expect(profile.identities.map((identity) => `${identity.type}:${identity.value}`).sort()).toEqual(
      ['crm_id:512', 'email:xiaoming.wang@example.com', 'phone:+8613900001234'].sort(),
    );
    expect(profile.attributes).toEqual(
      expect.objectContaining({
        name: expect.objectContaining({ value: '王小明', source: 'crm' }),
        city: expect.objectContaining({ value: '杭州' }),
        crmStatus: expect.objectContaining({ value: 'marketingqualifiedlead' }),
      }),
    );
    expect(profile.tags.map((tag) => tag.name)).toEqual(['crm/mql']);
    expect(hubspot.requests[0]).toMatch(/^\/crm\/v3\/objects\/contacts\/512\?properties=/);

    // HubSpot's retry of the same event (same eventId) lands once.
    const events = await count('events');
    expect((await post([event({ attemptNumber: 1 })])).status).toBe(200);
    await app.persona.worker.drain();
    expect(await count('events')).toBe(events);
    const { events: timeline } = await app.persona.timeline.list(profile.id, { limit: 50 });
    expect(timeline.filter((item) => item.type === 'lead_created')).toHaveLength(1);
  });

  it('refuses one changed byte, a changed signature and a stale timestamp, storing nothing', async () => {
    const tampered = await post([event({})], { tamper: (body) => body.replace('"objectId":512', '"objectId":513') });
    expect(tampered.status).toBe(401);
    const badSignature = await post([event({})], {
      signature: (signature) => `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`,
    });
    expect(badSignature.status).toBe(401);
    const stale = await post([event({})], { timestamp: Date.now() - 10 * 60 * 1000 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(
      /X-HubSpot-Request-Timestamp/,
    );
    expect(hubspot.requests).toEqual([]);
    expect([await count('inbox'), await count('profiles')]).toEqual([0, 0]);
  });

  it('retries a rate-limited or failing API read, and answers 503 (storing nothing) when HubSpot stays down', async () => {
    hubspot.failures.push({ status: 429, retryAfter: '0' }, { status: 502 });
    expect((await post([event({})])).status).toBe(200);
    expect(hubspot.requests).toHaveLength(3);

    hubspot.setDown(true);
    const down = await post([event({ eventId: 101, objectId: 513 })]);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { message: string } }).error.message).toMatch(/HubSpot answered 503/);
    expect(await count('inbox')).toBe(1);

    // HubSpot delivers it again later; now it lands.
    hubspot.setDown(false);
    expect((await post([event({ eventId: 101, objectId: 513, attemptNumber: 1 })])).status).toBe(200);
    await app.persona.worker.drain();
    expect(await profileOf('513')).toBeDefined();
  });

  it('records a deal moved to closed-won as deal_won in fen on its contact, and reports unplaceable events by index', async () => {
    await post([event({})]);
    const response = await post([
      event({
        eventId: 200,
        subscriptionType: 'deal.propertyChange',
        objectId: 9001,
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
      }),
      event({ eventId: 201, subscriptionType: 'deal.creation', objectId: 9999 }),
      event({ eventId: 202, subscriptionType: 'company.creation' }),
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 2,
      errors: [
        { index: 1, problems: [{ path: 'objectId', message: 'HubSpot no longer has this deal' }] },
        {
          index: 2,
          problems: [{ path: 'subscriptionType', message: expect.stringMatching(/^expected one of contact.creation/) }],
        },
      ],
    });
    await app.persona.worker.drain();
    const { events } = await app.persona.timeline.list((await profileOf('512')).id, { limit: 50 });
    expect(events.find((item) => item.type === 'deal_won')?.properties).toEqual({
      crm: 'hubspot',
      dealId: '9001',
      stage: 'closedwon',
      amount: 129950,
      currency: 'CNY',
      propertyName: 'dealstage',
    });
  });

  it('merges the profiles of contacts HubSpot merged, and records a deletion', async () => {
    await post([event({}), event({ eventId: 101, objectId: 513 })]);
    await app.persona.worker.drain();
    const [first, second] = [await profileOf('512'), await profileOf('513')];
    expect(first.id).not.toBe(second.id);

    await post([
      event({
        eventId: 300,
        subscriptionType: 'contact.merge',
        objectId: 512,
        primaryObjectId: 512,
        mergedObjectIds: [513],
      }),
    ]);
    await app.persona.worker.drain();
    expect((await profileOf('513')).id).toBe(first.id);

    await post([event({ eventId: 301, subscriptionType: 'contact.deletion', objectId: 512 })]);
    await app.persona.worker.drain();
    const { events } = await app.persona.timeline.list(first.id, { limit: 50 });
    expect(events.map((item) => item.type)).toEqual(
      expect.arrayContaining(['lead_merged', 'profile_merged', 'lead_deleted']),
    );
  });
});
