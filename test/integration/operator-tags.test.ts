import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

describe('operator tags', () => {
  let app: TestApp;
  let now = new Date('2026-11-20T04:00:00Z');
  let profileId: number;

  beforeEach(async () => {
    now = new Date('2026-11-20T04:00:00Z');
    app = await startTestApp({ rules: defaultRules }, undefined, { clock: () => now });
    await app.persona.accept('test', [
      {
        key: 'seen',
        type: 'page_view',
        channel: 'website',
        occurredAt: now,
        identities: [{ type: 'email', scope: '', value: 'vip@example.com' }],
        properties: {},
      },
    ]);
    await app.persona.worker.drain();
    const found = (await (await app.request('/api/profiles?identity=email:vip@example.com')).json()) as {
      profiles: { id: number }[];
    };
    profileId = found.profiles[0].id;
  });

  afterEach(async () => {
    await app.stop();
  });

  const tagsOf = async () =>
    (
      (await (await app.request(`/api/profiles/${profileId}`)).json()) as {
        tags: { name: string; source: string; expiresAt: string | null }[];
      }
    ).tags;

  it('adds a tag for a while, and the expiry job takes it away when the time is up', async () => {
    const added = await app.request(`/api/profiles/${profileId}/tags`, {
      method: 'POST',
      json: { tag: 'campaign/双十一', expiresAt: '2026-11-21T16:00:00Z' },
    });
    expect(added.status).toBe(201);
    expect((await tagsOf()).find((tag) => tag.name === 'campaign/双十一')).toMatchObject({
      source: 'operator',
      expiresAt: '2026-11-21T16:00:00.000Z',
    });
    // Again with a later expiry: still one tag, the new expiry.
    const again = await app.request(`/api/profiles/${profileId}/tags`, {
      method: 'POST',
      json: { tag: 'campaign/双十一', expiresAt: '2026-11-22T16:00:00Z' },
    });
    expect(again.status).toBe(200);
    expect(await app.persona.rulesModule.operatorTags.expire()).toBe(0);

    now = new Date('2026-11-23T00:00:00Z');
    expect(await app.persona.rulesModule.operatorTags.expire()).toBe(1);
    expect((await tagsOf()).map((tag) => tag.name)).not.toContain('campaign/双十一');
    const [removal] = await app.persona.db.select<{ properties: string }>(
      "SELECT properties FROM events WHERE type = 'tag_removed'",
    );
    expect(JSON.parse(removal.properties)).toEqual({ tag: 'campaign/双十一', category: 'campaign', source: 'expiry' });
  });

  it('removes a tag by its URL-encoded name', async () => {
    await app.request(`/api/profiles/${profileId}/tags`, { method: 'POST', json: { tag: 'interest/hiking' } });
    const removed = await app.request(`/api/profiles/${profileId}/tags/${encodeURIComponent('interest/hiking')}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as { removed: boolean }).removed).toBe(true);
    expect((await tagsOf()).map((tag) => tag.name)).not.toContain('interest/hiking');
  });

  it('refuses lifecycle stages, rule tags, past expiries and bad names, saying why', async () => {
    const post = (json: unknown) => app.request(`/api/profiles/${profileId}/tags`, { method: 'POST', json });
    const message = async (response: Response) =>
      ((await response.json()) as { error: { message: string } }).error.message;
    let response = await post({ tag: 'lifecycle/active' });
    expect([response.status, await message(response)]).toEqual([
      400,
      "tag: lifecycle tags are computed by rules; an operator can't set one",
    ]);
    response = await post({ tag: 'loyal' });
    expect([response.status, await message(response)]).toEqual([
      400,
      'tag: loyal is kept by a rule (score >= 90); change the rule instead',
    ]);
    response = await post({ tag: 'vip', expiresAt: '2026-01-01T00:00:00Z' });
    expect([response.status, await message(response)]).toEqual([400, 'expiresAt: expected a time in the future']);
    response = await post({ tag: '/vip' });
    expect(response.status).toBe(400);
    response = await post({ tag: 'vip', expiresAt: 'tomorrow' });
    expect([response.status, await message(response)]).toEqual([
      400,
      'expiresAt: expected an ISO 8601 time such as 2026-12-31T16:00:00Z',
    ]);
    const rule = await app.request(`/api/profiles/${profileId}/tags/${encodeURIComponent('lifecycle/potential')}`, {
      method: 'DELETE',
    });
    expect(rule.status).toBe(409);
    expect((await app.request('/api/profiles/999999/tags', { method: 'POST', json: { tag: 'vip' } })).status).toBe(404);
  });
});
