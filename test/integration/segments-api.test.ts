import { wechatSampleAccountPlugin } from '../support/inbound-senders';
import { startTestApp, type TestApp } from '../support/test-app';

describe('saved segments', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp();
    // Three followers in Shanghai (two like sports), one in Hangzhou.
    const people = [
      {
        id: 'p1',
        email: 'li.na@example.com',
        city: 'Shanghai',
        name: '李娜',
        tags: ['interest/sports', 'lifecycle/active'],
      },
      {
        id: 'p2',
        email: 'wang.fang@example.com',
        city: 'Shanghai',
        name: '王芳',
        tags: ['interest/sports', 'lifecycle/dormant'],
      },
      { id: 'p3', email: 'zhao.lei@example.com', city: 'Shanghai', name: '赵磊', tags: ['lifecycle/dormant'] },
      { id: 'p4', email: 'chen.jie@example.com', city: 'Hangzhou', name: '陈杰', tags: ['interest/sports'] },
    ];
    const posted = await app.request('/api/events', {
      method: 'POST',
      json: {
        events: people.map((person) => ({
          id: person.id,
          type: 'page_view',
          identities: { email: person.email },
          attributes: { city: person.city, name: person.name },
        })),
      },
    });
    expect(posted.status).toBe(202);
    await app.persona.worker.drain();
    const { db, tags } = app.persona;
    for (const person of people) {
      const [{ profile_id: profileId }] = await db.select<{ profile_id: number }>(
        "SELECT profile_id FROM identities WHERE type = 'email' AND value = ?",
        [person.email],
      );
      await db.transaction((transaction) =>
        tags.apply(
          {
            profileId: Number(profileId),
            add: person.tags,
            source: 'operator',
            at: new Date(),
            key: `seed:${person.id}`,
          },
          transaction,
        ),
      );
    }
  });

  afterEach(async () => {
    await app.stop();
  });

  const json = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const post = (path: string, body: unknown) => app.request(path, { method: 'POST', json: body });

  it('saves, reads, counts, updates and refuses to delete a segment another one uses', async () => {
    const created = await json(
      await post('/api/segments', {
        name: '上海运动迷',
        expression: 'city:Shanghai 且 tag:interest/sports',
        description: 'sports fans in Shanghai',
      }),
    );
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({
        name: '上海运动迷',
        expression: 'city:Shanghai AND tag:interest/sports',
        frozenAt: null,
      }),
    });
    expect((await json(await app.request(`/api/segments/${encodeURIComponent('上海运动迷')}`))).body.count).toBe(2);

    expect(
      (await post('/api/segments', { name: 'dormant-fans', expression: 'segment:上海运动迷 AND lifecycle:dormant' }))
        .status,
    ).toBe(201);
    expect((await json(await app.request('/api/segments/dormant-fans'))).body.count).toBe(1);
    const duplicate = await json(await post('/api/segments', { name: 'dormant-fans', expression: 'tag:x' }));
    expect(duplicate).toEqual({
      status: 409,
      body: { error: expect.objectContaining({ message: 'a segment named dormant-fans already exists' }) },
    });

    const refused = await json(
      await app.request(`/api/segments/${encodeURIComponent('上海运动迷')}`, { method: 'DELETE' }),
    );
    expect(refused).toEqual({
      status: 409,
      body: { error: expect.objectContaining({ message: 'segment 上海运动迷 is used by segment:dormant-fans' }) },
    });

    // A cycle through an update is refused and the saved expression stays.
    const cycle = await json(
      await app.request(`/api/segments/${encodeURIComponent('上海运动迷')}`, {
        method: 'PUT',
        json: { expression: 'segment:dormant-fans' },
      }),
    );
    expect(cycle.status).toBe(400);
    expect((cycle.body.error as { message: string }).message).toMatch(/refers to itself/);
    const updated = await json(
      await app.request(`/api/segments/${encodeURIComponent('上海运动迷')}`, {
        method: 'PUT',
        json: { expression: 'city in (Shanghai, Hangzhou) AND tag:interest/sports' },
      }),
    );
    expect(updated.body.expression).toBe('city in (Shanghai, Hangzhou) AND tag:interest/sports');
    expect((await json(await app.request('/api/segments/dormant-fans'))).body.count).toBe(1);

    expect((await app.request('/api/segments/dormant-fans', { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/api/segments/${encodeURIComponent('上海运动迷')}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await json(await app.request('/api/segments'))).body.segments).toEqual([]);
  });

  it('reads Chinese term words and tag labels (标签:沉睡用户 is tag:lifecycle/dormant) and answers in the canonical form', async () => {
    const chinese = await json(
      await post('/api/segments/preview', { expression: '标签:沉睡用户 且 城市:Shanghai 且 非 标签:兴趣/运动' }),
    );
    const english = await json(
      await post('/api/segments/preview', {
        expression: 'tag:lifecycle/dormant AND city:Shanghai AND NOT tag:interest/sports',
      }),
    );
    expect(chinese.body).toEqual(english.body);
    expect(chinese.body).toMatchObject({
      expression: 'tag:lifecycle/dormant AND city:Shanghai AND NOT tag:interest/sports',
      count: 1,
    });
  });

  it('previews an expression with a masked sample, lifecycle split and top tags', async () => {
    const preview = await json(await post('/api/segments/preview', { expression: 'city:Shanghai' }));
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      expression: 'city:Shanghai',
      count: 3,
      sample: expect.arrayContaining([
        expect.objectContaining({ name: '李*', identities: [{ type: 'email', value: 'l***@example.com' }] }),
      ]),
      byLifecycle: { active: 1, dormant: 2 },
      topTags: [{ tag: 'interest/sports', count: 2 }],
      warnings: [],
    });
    expect(JSON.stringify(preview.body)).not.toContain('li.na@example.com');
  });

  it('warns about names nothing holds yet, suggesting the closest known one, without refusing them', async () => {
    const preview = await json(
      await post('/api/segments/preview', {
        expression: 'tag:interest/sprots OR (attr.ctiy = Shanghai AND event:article_veiw in 7d) OR tag:brand-new',
      }),
    );
    expect(preview.status).toBe(200);
    expect(preview.body.warnings).toEqual([
      'no profile has the tag interest/sprots yet: did you mean interest/sports?',
      'no profile has the attribute ctiy yet: did you mean city?',
      'no profile has an event of type article_veiw yet',
      'no profile has the tag brand-new yet',
    ]);
    const saved = await json(
      await post('/api/segments', { name: 'typo', expression: 'lifecycle:dormant AND tag:lifecycle/actve' }),
    );
    expect(saved).toEqual({
      status: 201,
      body: expect.objectContaining({
        expression: 'lifecycle:dormant AND tag:lifecycle/actve',
        warnings: ['no profile has the tag lifecycle/actve yet: did you mean lifecycle/active?'],
      }),
    });
    const fixed = await json(
      await app.request('/api/segments/typo', { method: 'PUT', json: { expression: 'tag:interest/sports' } }),
    );
    expect(fixed.body.warnings).toEqual([]);
  });

  it('answers a malformed expression with its position, and an unknown segment with its name', async () => {
    const malformed = await json(await post('/api/segments/preview', { expression: 'city:Shanghai AND tag:' }));
    expect(malformed).toEqual({
      status: 400,
      body: {
        error: expect.objectContaining({
          message: 'column 23: expected a tag name after "tag:"',
          details: expect.objectContaining({ column: 23 }),
        }),
      },
    });
    expect((await json(await post('/api/segments', { name: 'x', expression: 'segment:nope' }))).body.error).toEqual(
      expect.objectContaining({ message: 'no saved segment named nope' }),
    );
    expect((await post('/api/segments', { name: ' padded', expression: 'tag:x' })).status).toBe(400);
    expect((await app.request('/api/segments/none')).status).toBe(404);
  });

  it('counts a list of a thousand values, and refuses NOTs nested past the language’s depth with a 400, not a 500', async () => {
    // SQLite refuses expression trees deeper than 1,000: a long list must not become one flat chain of conditions.
    // (Short values: an expression holds at most 4,000 characters.)
    const cities = ['Shanghai', ...Array.from({ length: 999 }, () => 'X')];
    const listed = await json(await post('/api/segments/preview', { expression: `city in (${cities.join(',')})` }));
    expect(listed).toEqual({ status: 200, body: expect.objectContaining({ count: 3 }) });
    const nots = await json(await post('/api/segments/preview', { expression: `${'非 '.repeat(1990)}city:Shanghai` }));
    expect(nots).toEqual({
      status: 400,
      body: { error: expect.objectContaining({ message: 'column 129: expected at most 64 nested brackets and NOTs' }) },
    });
    expect(
      (await json(await post('/api/segments/preview', { expression: `${'NOT '.repeat(64)}city:Shanghai` }))).body,
    ).toEqual(expect.objectContaining({ count: 3 }));
  });

  it('freezes a segment into a static list that no longer moves, and records daily counts', async () => {
    await post('/api/segments', { name: 'dormant', expression: 'lifecycle:dormant' });
    const frozen = await json(await post('/api/segments/dormant/freeze', {}));
    expect(frozen.body).toEqual(expect.objectContaining({ members: 2, frozenAt: expect.any(String) }));
    // Someone else becomes dormant: the live expression would count 3, the frozen list stays at 2.
    const [{ id }] = await app.persona.db.select<{ id: number }>(
      "SELECT p.id FROM profiles p JOIN attributes a ON a.profile_id = p.id WHERE a.name = 'city' AND a.value = '\"杭州\"'",
    );
    await app.persona.db.transaction((transaction) =>
      app.persona.tags.apply(
        { profileId: Number(id), add: ['lifecycle/dormant'], source: 'rule', at: new Date(), key: 'later' },
        transaction,
      ),
    );
    expect((await json(await app.request('/api/segments/dormant'))).body.count).toBe(2);
    // Other expressions see the list too.
    expect((await json(await post('/api/segments/preview', { expression: 'segment:dormant' }))).body.count).toBe(2);
    expect((await json(await post('/api/segments/preview', { expression: 'lifecycle:dormant' }))).body.count).toBe(3);
    expect((await app.request('/api/segments/dormant', { method: 'PUT', json: { expression: 'tag:x' } })).status).toBe(
      409,
    );

    await app.persona.segments.snapshotCounts('2026-11-22');
    await app.persona.segments.snapshotCounts('2026-11-23');
    await app.persona.segments.snapshotCounts('2026-11-23');
    expect((await json(await app.request('/api/segments/dormant/history'))).body.history).toEqual([
      { day: '2026-11-22', count: 2 },
      { day: '2026-11-23', count: 2 },
    ]);
  });
});

describe('the segment vocabulary knows the event types sources declare', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      plugins: {
        website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET' },
        'wechat-official-account': wechatSampleAccountPlugin,
      },
    });
  });

  afterAll(async () => {
    await app.stop();
  });

  it('before the first such event arrives: no warning for a declared type, and a typo is told its closest one', async () => {
    const preview = async (expression: string) =>
      (
        (await (await app.request('/api/segments/preview', { method: 'POST', json: { expression } })).json()) as {
          warnings: string[];
        }
      ).warnings;
    // Nothing has happened yet: the types are known because the plugins declare them (ctx.vocabularies).
    expect(await preview('event:purchase in 30d OR event:qr_scan[scene=store-1]')).toEqual([]);
    expect(await preview('event:menu_clik')).toEqual([
      'no profile has an event of type menu_clik yet: did you mean menu_click?',
    ]);
  });
});
