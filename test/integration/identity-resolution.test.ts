import { startTestApp, type TestApp } from '../support/test-app';

describe('identity resolution', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ identities: { blocked: { email: ['Office@Brand.cn'], phone: ['138 0000 0000'] } } });
  });

  afterEach(async () => {
    await app.stop();
  });

  async function post(events: unknown[]) {
    expect((await app.request('/api/events', { method: 'POST', json: { events } })).status).toBe(202);
    await app.persona.worker.drain();
  }

  async function profileIdOf(query: string): Promise<number | undefined> {
    const response = await app.request(`/api/profiles?identity=${encodeURIComponent(query)}`);
    return ((await response.json()) as { profiles: { id: number }[] }).profiles[0]?.id;
  }

  it('tells apart openids and tags that differ only in case or accents (byte-for-byte keys, on MySQL too)', async () => {
    await post([
      { id: 'c1', type: 'page_view', identities: { openid: 'oAbCdEf123' } },
      { id: 'c2', type: 'page_view', identities: { openid: 'oabcdef123' } },
    ]);
    const upper = await profileIdOf('openid:oAbCdEf123');
    const lower = await profileIdOf('openid:oabcdef123');
    expect(upper).toBeDefined();
    expect(lower).toBeDefined();
    expect(upper).not.toBe(lower);
    const { db, tags } = app.persona;
    await db.transaction((transaction) =>
      tags.apply(
        {
          profileId: upper as number,
          add: ['interest/Café', 'interest/cafe'],
          source: 'operator',
          at: new Date(),
          key: 'case-test',
        },
        transaction,
      ),
    );
    expect((await tags.list(upper as number)).map((tag) => tag.name)).toEqual(['interest/Café', 'interest/cafe']);
  });

  it('never links two people through a blocked value, and parks an event that has nothing else', async () => {
    await post([
      { id: 'o1', type: 'form_submit', identities: { email: 'office@brand.cn', phone: '13911110001' } },
      { id: 'o2', type: 'form_submit', identities: { email: 'OFFICE@brand.cn', phone: '13911110002' } },
      { id: 'o3', type: 'form_submit', identities: { phone: '+86 13800000000' } },
    ]);
    const first = await profileIdOf('phone:13911110001');
    const second = await profileIdOf('phone:13911110002');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(first).not.toBe(second);
    expect(await profileIdOf('email:office@brand.cn')).toBeUndefined();
    const failed = await app.persona.db.select<{ status: string; last_error: string }>(
      "SELECT status, last_error FROM inbox WHERE status = 'failed'",
    );
    expect(failed).toEqual([{ status: 'failed', last_error: 'every identity of this event is on the blocked list' }]);
  });

  it('refuses a blocked value that is not an identity at all, naming the key', async () => {
    await expect(startTestApp({ identities: { blocked: { phone: ['not a phone'] } } })).rejects.toThrow(
      'identities.blocked.phone: "not a phone" is not usable',
    );
  });

  it('puts an event on the profile of its strongest identity, leaving weaker ones where they are', async () => {
    await post([{ id: 'v1', type: 'page_view', identities: { anonymousId: 'cookie-1' } }]);
    await post([{ id: 'c1', type: 'form_submit', identities: { phone: '13922220000' } }]);
    const visitor = await profileIdOf('anonymousId:cookie-1');
    const customer = await profileIdOf('phone:13922220000');
    expect(visitor).toBeLessThan(customer as number);
    await post([{ id: 'b1', type: 'purchase', identities: { anonymousId: 'cookie-1', phone: '13922220000' } }]);
    const { events } = await app.persona.timeline.list(customer as number, { limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['purchase', 'form_submit']);
    expect(await profileIdOf('anonymousId:cookie-1')).toBe(visitor);
  });
});
