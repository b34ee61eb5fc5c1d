import { startTestApp, type TestApp, writeKey } from '../support/test-app';

interface TimelineBody {
  events: { id: number; type: string; occurredAt: string; properties: Record<string, unknown> }[];
  nextCursor: string | null;
}

describe('POST /api/events → timeline', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp();
  });

  afterEach(async () => {
    await app.stop();
  });

  const batch = {
    events: [
      {
        id: 'evt-1',
        type: 'page_view',
        channel: 'website',
        occurredAt: '2026-11-20T08:00:00.001Z',
        identities: { email: 'Li.Na@Example.com' },
        properties: { url: '/a' },
      },
      {
        id: 'evt-2',
        type: 'article_view',
        occurredAt: '2026-11-20T09:00:00.002Z',
        identities: { email: 'li.na@example.com' },
        properties: { articleId: 'a1', topic: 'sports' },
      },
      {
        id: 'evt-3',
        type: 'article_favorite',
        occurredAt: '2026-11-20T08:30:00.003Z',
        identities: { email: 'li.na@example.com' },
      },
    ],
  };

  async function profileFor(email: string) {
    const response = await app.request(`/api/profiles?identity=email:${encodeURIComponent(email)}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { profiles: { id: number; identities: unknown[] }[] }).profiles;
  }

  async function timeline(profileId: number, query = ''): Promise<TimelineBody> {
    const response = await app.request(`/api/profiles/${profileId}/timeline${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as TimelineBody;
  }

  it('makes one profile whose timeline lists the batch newest first, and a repeated batch changes nothing', async () => {
    const first = await app.request('/api/events', { method: 'POST', json: batch });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: 0, errors: [] });
    expect(await app.persona.worker.drain()).toBe(3);

    const profiles = await profileFor('li.na@example.com');
    expect(profiles).toHaveLength(1);
    expect(profiles[0].identities).toEqual([{ type: 'email', scope: '', value: 'li.na@example.com' }]);
    const before = await timeline(profiles[0].id);
    expect(before.events.map((event) => event.type)).toEqual(['article_view', 'article_favorite', 'page_view']);
    expect(before.events.map((event) => event.occurredAt)).toEqual([
      '2026-11-20T09:00:00.002Z',
      '2026-11-20T08:30:00.003Z',
      '2026-11-20T08:00:00.001Z',
    ]);
    expect(before.events[0].properties).toEqual({ articleId: 'a1', topic: 'sports' });

    const again = await app.request('/api/events', { method: 'POST', json: batch });
    expect(again.status).toBe(202);
    await app.persona.worker.drain();
    expect(await profileFor('li.na@example.com')).toEqual(profiles);
    expect(await timeline(profiles[0].id)).toEqual(before);
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect(Number(n)).toBe(3);
  });

  it('processes the same events again after the inbox was purged, still once', async () => {
    await app.request('/api/events', { method: 'POST', json: batch });
    await app.persona.worker.drain();
    expect(await app.persona.inbox.purge(new Date(Date.now() + 1000))).toBe(3);
    await app.request('/api/events', { method: 'POST', json: batch });
    expect(await app.persona.worker.drain()).toBe(3);
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect(Number(n)).toBe(3);
    const [{ p }] = await app.persona.db.select<{ p: number }>('SELECT COUNT(*) AS p FROM profiles');
    expect(Number(p)).toBe(1);
  });

  it('reports an event without a type by its index and stores the other two', async () => {
    const events = batch.events.map((event) => ({ ...event }));
    delete (events[1] as { type?: string }).type;
    const response = await app.request('/api/events', { method: 'POST', json: { events } });
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      accepted: number;
      rejected: number;
      errors: { index: number; problems: { path: string }[] }[];
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(1);
    expect(body.errors).toEqual([{ index: 1, problems: [expect.objectContaining({ path: 'type' })] }]);
    await app.persona.worker.drain();
    const [profile] = await profileFor('li.na@example.com');
    expect((await timeline(profile.id)).events.map((event) => event.type)).toEqual(['article_favorite', 'page_view']);
  });

  it('answers 400 when no event is valid, naming each problem', async () => {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          { type: 'page_view', identities: {} },
          { type: 'Bad Type', identities: { phone: 'abc' } },
        ],
      },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { errors: { index: number }[] } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.errors.map((error) => error.index)).toEqual([0, 1]);
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM inbox');
    expect(Number(n)).toBe(0);
  });

  it('accepts a single event and a write key', async () => {
    const response = await app.request('/api/events', {
      method: 'POST',
      auth: writeKey,
      json: { type: 'page_view', identities: { phone: '138 0013 8000', anonymousId: 'anon-1' } },
    });
    expect(response.status).toBe(202);
    await app.persona.worker.drain();
    const found = await app.request('/api/profiles?identity=phone:%2B8613800138000');
    const { profiles } = (await found.json()) as { profiles: { identities: { type: string; value: string }[] }[] };
    expect(profiles[0].identities).toEqual([
      { type: 'anonymous_id', scope: '', value: 'anon-1' },
      { type: 'phone', scope: '', value: '+8613800138000' },
    ]);
  });

  it('answers a lookup by an unknown identity type with the types it knows', async () => {
    for (const type of ['fax', 'constructor', '__proto__']) {
      const response = await app.request(`/api/profiles?identity=${type}:x`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        'identity: expected a type among email, phone, openid',
      );
    }
  });

  it('spells identity types in requests as answers do (crm_id, anonymous_id), and still takes crmId and anonymousId', async () => {
    const sent = await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          { id: 's-1', type: 'page_view', identities: { anonymous_id: 'visitor-9', crm_id: 'L-9' } },
          { id: 's-2', type: 'page_view', identities: { anonymousId: 'visitor-9' } },
        ],
      },
    });
    expect(await sent.json()).toEqual(expect.objectContaining({ accepted: 2, rejected: 0 }));
    await app.persona.worker.drain();
    const bySnake = await app.request('/api/profiles?identity=anonymous_id:visitor-9');
    const { profiles } = (await bySnake.json()) as {
      profiles: { id: number; identities: { type: string; scope: string; value: string }[] }[];
    };
    expect(profiles[0].identities).toEqual([
      { type: 'anonymous_id', scope: '', value: 'visitor-9' },
      { type: 'crm_id', scope: '', value: 'L-9' },
    ]);
    for (const lookup of ['anonymousId:visitor-9', 'crm_id:L-9', 'crmId:L-9']) {
      const found = (await (await app.request(`/api/profiles?identity=${lookup}`)).json()) as {
        profiles: { id: number }[];
      };
      expect([lookup, found.profiles.map((profile) => profile.id)]).toEqual([lookup, [profiles[0].id]]);
    }
    const twice = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'page_view', identities: { crm_id: 'L-9', crmId: 'L-10' } },
    });
    expect(twice.status).toBe(400);
    const unknown = await app.request('/api/profiles?identity=fax:1');
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe(
      'identity: expected a type among email, phone, openid, unionid, crm_id, anonymous_id',
    );
  });

  it('refuses a missing or wrong token with 401, and a write key on the admin API with 403', async () => {
    const none = await app.request('/api/events', { method: 'POST', auth: null, json: batch });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await app.request('/api/events', { method: 'POST', auth: 'not-the-token-at-all', json: batch });
    expect(wrong.status).toBe(401);
    const readWithWriteKey = await app.request('/api/profiles/1', { auth: writeKey });
    expect(readWithWriteKey.status).toBe(403);
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM inbox');
    expect(Number(n)).toBe(0);
  });

  it('answers 413 to a 2 MB body and stores nothing', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const response = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'page_view', identities: { email: 'big@example.com' }, properties: { padding } },
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM inbox');
    expect(Number(n)).toBe(0);
  });

  it('answers 400 to malformed JSON and 415 to another content type', async () => {
    const malformed = await app.request('/api/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type": "page_view",',
    });
    expect(malformed.status).toBe(400);
    const text = await app.request('/api/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
  });

  it('pages a timeline newest first with a cursor', async () => {
    const events = Array.from({ length: 5 }, (_, index) => ({
      id: `page-${index}`,
      type: 'page_view',
      occurredAt: '2026-11-21T00:00:00.000Z', // same instant: the id breaks the tie
      identities: { anonymousId: 'visitor-9' },
      properties: { n: index },
    }));
    await app.request('/api/events', { method: 'POST', json: { events } });
    await app.persona.worker.drain();
    const found = await app.request('/api/profiles?identity=anonymousId:visitor-9');
    const [{ id }] = ((await found.json()) as { profiles: { id: number }[] }).profiles;
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: TimelineBody = await timeline(id, `?limit=2${cursor ? `&before=${cursor}` : ''}`);
      seen.push(...page.events.map((event) => event.properties.n as number));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect((await app.request(`/api/profiles/${id}/timeline?before=garbage`)).status).toBe(400);
    expect((await app.request(`/api/profiles/${id}/timeline?limit=501`)).status).toBe(400);
  });

  it('answers 404 for an unknown profile or route and 400 for a malformed id', async () => {
    expect((await app.request('/api/profiles/999999')).status).toBe(404);
    expect((await app.request('/api/profiles/abc')).status).toBe(400);
    const unknown = await app.request('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /api/nothing-here' },
    });
    expect((await app.request('/api/profiles?identity=fax:123')).status).toBe(400);
  });

  it('reads profile ids in URLs as decimal digits only, so one profile has one id', async () => {
    await app.request('/api/events', { method: 'POST', json: batch });
    await app.persona.worker.drain();
    const [{ id }] = await profileFor('li.na@example.com');
    expect((await app.request(`/api/profiles/${id}`)).status).toBe(200);
    for (const spelling of [`${id}e0`, `0x${id.toString(16)}`, `%20${id}`, `+${id}`, `${id}.0`, `0${id}`]) {
      const response = await app.request(`/api/profiles/${spelling}`);
      expect([spelling, response.status]).toEqual([spelling, 400]);
    }
    expect((await app.request('/api/profiles/1e3/timeline')).status).toBe(400);
    expect(
      ((await (await app.request('/api/profiles/0x10')).json()) as { error: { message: string } }).error.message,
    ).toBe('id: expected a profile id (decimal digits)');
  });
});
