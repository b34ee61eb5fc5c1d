import { startFakeHubspot } from '../support/fake-hubspot';
import { countRows, everyWayIn, inboundSenders, problemsOf } from '../support/inbound-senders';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventMessage, textMessage, wechatXml } from '../support/wechat-client';

/** Half of 😀: JSON can carry it (`"\ud83d"`), MySQL can't store it. */
const loneSurrogate = 's\ud83d';

/**
 * Whatever a way in acknowledges can be stored and processed, on MySQL as on SQLite: what can't is refused before the
 * answer, naming the field, and nothing of it is written.
 */
describe('what is acknowledged can be stored', () => {
  let app: TestApp;
  let hubspot: Awaited<ReturnType<typeof startFakeHubspot>>;
  let send: ReturnType<typeof inboundSenders>;

  beforeAll(async () => {
    hubspot = await startFakeHubspot();
    app = await startTestApp(everyWayIn(hubspot.url));
    send = inboundSenders(app);
  });

  afterAll(async () => {
    await app.stop();
    await hubspot.close();
  });

  /** Everything stored so far went through the pipeline: nothing waits for a retry or was parked as failed. */
  async function expectAllProcessed(): Promise<void> {
    await app.persona.worker.drain();
    expect(await countRows(app, 'inbox', "status <> 'done'")).toBe(0);
  }

  const apiEvent = (id: string, overrides: Record<string, unknown> = {}) => ({
    id,
    type: 'form_submit',
    occurredAt: '2026-11-02T00:00:00Z',
    identities: { email: `${id}@example.com` },
    ...overrides,
  });

  it('POST /api/events refuses text with a lone surrogate by index and field, and stores the rest', async () => {
    const response = await send.api({
      events: [
        apiEvent('api-good', { attributes: { city: 'Suzhou' } }),
        apiEvent('api-attribute', { attributes: { city: loneSurrogate } }),
        apiEvent('api-identity', { identities: { anonymousId: loneSurrogate } }),
        apiEvent('api-property', { properties: { note: loneSurrogate } }),
        apiEvent(`api-id-${loneSurrogate}`, { identities: { email: 'api-id@example.com' } }),
      ],
    });
    expect(response.status).toBe(202);
    const problems = await problemsOf(response);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      '1 attributes.city',
      '2 identities.anonymousId',
      '3 properties.note',
      '4 id',
    ]);
    expect(problems[0]).toContain('lone UTF-16 surrogate');
    expect(await countRows(app, 'inbox', "source_key = 'api:api-good'")).toBe(1);
    expect(await countRows(app, 'inbox', "source = 'api'")).toBe(1);
    await expectAllProcessed();
  });

  it('website beacons: ill-formed text, properties over 32 KB and times out of range are refused by index', async () => {
    const before = await countRows(app, 'inbox');
    const beacon = (id: string, overrides: Record<string, unknown> = {}) => ({
      id,
      type: 'page_view',
      anonymousId: `visitor-${id}`,
      ...overrides,
    });
    const response = await send.beacon({
      events: [
        beacon('b-good'),
        beacon('b-title', { title: loneSurrogate }),
        beacon('b-large', { properties: { text: 'x'.repeat(33 * 1024) } }),
        beacon('b-old', { occurredAt: '1999-12-31T23:59:59Z' }),
        beacon('b-future', { occurredAt: Date.now() + 3 * 86_400_000 }),
      ],
    });
    expect(response.status).toBe(202);
    expect((await problemsOf(response)).map((problem) => problem.split(':')[0])).toEqual([
      '1 title',
      '2 properties',
      '3 occurredAt',
      '4 occurredAt',
    ]);
    expect(await countRows(app, 'inbox')).toBe(before + 1);
    await expectAllProcessed();
  });

  it("CRM webhooks: ill-formed text and a time the database can't hold are refused", async () => {
    const before = await countRows(app, 'inbox');
    const lead = (id: string, overrides: Record<string, unknown> = {}) => ({
      id,
      email: `${id.toLowerCase()}@example.com`,
      ...overrides,
    });
    const response = await send.crm([
      {
        id: 'c-name',
        type: 'lead.created',
        occurredAt: '2026-11-02T00:00:00Z',
        lead: lead('L-1', { name: loneSurrogate }),
      },
      { id: 'c-far', type: 'lead.created', occurredAt: '9999-12-31T23:59:59Z', lead: lead('L-2') },
    ]);
    expect(response.status).toBe(400);
    expect((await problemsOf(response)).map((problem) => problem.split(':')[0])).toEqual([
      '0 lead.name',
      '1 occurredAt',
    ]);
    expect(await countRows(app, 'inbox')).toBe(before);
  });

  it('HubSpot: an event time past any the database holds is rejected by index, nothing stored', async () => {
    const before = await countRows(app, 'inbox');
    const response = await send.hubspot([
      {
        eventId: 7,
        portalId: 62515,
        occurredAt: 999_999_999_999_999,
        subscriptionType: 'contact.deletion',
        objectId: 512,
      },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ accepted: 0, rejected: 1 }));
    expect(await countRows(app, 'inbox')).toBe(before);
  });

  it('WeChat: a 10,000-character openid or a CreateTime in year 33658 is answered 400, not success, and nothing is stored', async () => {
    const before = await countRows(app, 'inbox');
    const longOpenid = await send.wechat(textMessage('o'.repeat(10_000), 'hello', '9001'));
    expect(longOpenid.status).toBe(400);
    expect(await problemsOf(longOpenid)).toEqual([expect.stringContaining('FromUserName')]);
    const farFuture = await send.wechat(textMessage('oFollower1', 'hello', '9002', 999_999_999_999));
    expect(farFuture.status).toBe(400);
    expect(await problemsOf(farFuture)).toEqual([expect.stringContaining('CreateTime')]);
    const report = await send.wechat(
      eventMessage(
        'oFollower1',
        'MASSSENDJOBFINISH',
        { MsgID: '9'.repeat(200), Status: 'send success' },
        999_999_999_999,
      ),
    );
    expect(report.status).toBe(400);
    expect(await countRows(app, 'inbox')).toBe(before);
    expect(await countRows(app, 'delivery_reports')).toBe(0);
  });

  it('WeChat: a message whose properties exceed the bounds is answered 400 by the inbox itself', async () => {
    const before = await countRows(app, 'inbox');
    // An unknown message type keeps every raw field: 40 KB of them is more than an event's properties may hold.
    const xml = wechatXml({
      ToUserName: 'gh_test',
      FromUserName: 'oFollower2',
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'novel',
      MsgId: '9003',
      Blob: 'x'.repeat(40 * 1024),
    });
    const response = await send.wechat(xml);
    expect(response.status).toBe(400);
    expect(await problemsOf(response)).toEqual([expect.stringContaining('properties')]);
    expect(await countRows(app, 'inbox')).toBe(before);
  });
});
