import { startTestApp, type TestApp } from '../support/test-app';

interface ProfileBody {
  id: number;
  attributes: Record<string, { value: unknown; source: string }>;
}

describe('attributes', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ attributes: { precedenceByAttribute: { title: ['website', 'crm'] } } });
  });

  afterEach(async () => {
    await app.stop();
  });

  async function send(id: string, channel: string, attributes: Record<string, unknown>, occurredAt: string) {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: { id, type: 'form_submit', channel, occurredAt, identities: { email: 'wang@example.com' }, attributes },
    });
    await app.persona.worker.drain();
    return response;
  }

  async function profile(): Promise<ProfileBody> {
    const found = await app.request('/api/profiles?identity=email:wang@example.com');
    return ((await found.json()) as { profiles: ProfileBody[] }).profiles[0];
  }

  async function changes(id: number) {
    const { events } = await app.persona.timeline.list(id, { limit: 50 });
    return events.filter((event) => event.type === 'attribute_changed').map((event) => event.properties);
  }

  it('keeps each value with its source, lets a more trusted source win, and puts every change on the timeline', async () => {
    expect(
      (
        await send(
          'a1',
          'website',
          { name: '王芳', gender: '女', city: 'Suzhou', title: 'Designer' },
          '2026-11-01T00:00:00Z',
        )
      ).status,
    ).toBe(202);
    let p = await profile();
    expect(p.attributes).toEqual({
      city: expect.objectContaining({ value: '苏州', source: 'website' }),
      gender: expect.objectContaining({ value: 'female', source: 'website' }),
      name: expect.objectContaining({ value: '王芳', source: 'website' }),
      title: expect.objectContaining({ value: 'Designer', source: 'website' }),
    });

    // The CRM outranks the website by default, but not for `title` (configured per attribute).
    await send('a2', 'crm', { city: 'Hangzhou', title: 'Head of Design' }, '2026-11-02T00:00:00Z');
    // A later website form doesn't overwrite what the CRM said.
    await send('a3', 'website', { city: 'Nanjing' }, '2026-11-03T00:00:00Z');
    p = await profile();
    expect(p.attributes.city).toEqual(expect.objectContaining({ value: '杭州', source: 'crm' }));
    expect(p.attributes.title).toEqual(expect.objectContaining({ value: 'Designer', source: 'website' }));

    const patched = await app.request(`/api/profiles/${p.id}`, {
      method: 'PATCH',
      json: { attributes: { city: 'Shanghai', vip: true, gender: null } },
    });
    expect(patched.status).toBe(200);
    const body = (await patched.json()) as { changed: string[]; profile: ProfileBody };
    expect(body.changed.sort()).toEqual(['city', 'gender', 'vip']);
    expect(body.profile.attributes.city).toEqual(expect.objectContaining({ value: '上海', source: 'operator' }));
    expect(body.profile.attributes.gender).toBeUndefined();

    expect(await changes(p.id)).toEqual(
      expect.arrayContaining([
        { name: 'city', from: null, to: '苏州', source: 'website' },
        { name: 'city', from: '苏州', to: '杭州', source: 'crm' },
        { name: 'city', from: '杭州', to: '上海', source: 'operator' },
        { name: 'gender', from: 'female', to: null, source: 'operator' },
      ]),
    );
    expect((await changes(p.id)).filter((change) => change.to === 'Nanjing')).toEqual([]);
  });

  it('reports invalid attributes by index and field, and a replayed event changes nothing', async () => {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          {
            id: 'b1',
            type: 'form_submit',
            identities: { email: 'wang@example.com' },
            attributes: { birthday: '1990-02-30' },
          },
          {
            id: 'b2',
            type: 'form_submit',
            identities: { email: 'wang@example.com' },
            attributes: { birthday: '1990-02-28', 'bad name': 1 },
          },
          {
            id: 'b3',
            type: 'form_submit',
            identities: { email: 'wang@example.com' },
            attributes: { birthday: '1990-02-28' },
          },
        ],
      },
    });
    const result = (await response.json()) as { errors: { index: number; problems: { path: string }[] }[] };
    expect(result.errors.map((error) => [error.index, error.problems.map((problem) => problem.path)])).toEqual([
      [0, ['attributes.birthday']],
      [1, ['attributes.bad name']],
    ]);
    await app.persona.worker.drain();
    const p = await profile();
    expect(p.attributes.birthday).toEqual(expect.objectContaining({ value: '1990-02-28', source: 'api' }));
    await app.request('/api/events', {
      method: 'POST',
      json: {
        id: 'b3',
        type: 'form_submit',
        identities: { email: 'wang@example.com' },
        attributes: { birthday: '1990-02-28' },
      },
    });
    await app.persona.worker.drain();
    expect(await changes(p.id)).toHaveLength(1);
  });

  it('refuses a bad PATCH with 400 and an unknown profile with 404, writing nothing', async () => {
    await send('c1', 'website', { city: 'Suzhou' }, '2026-11-01T00:00:00Z');
    const p = await profile();
    const bad = await app.request(`/api/profiles/${p.id}`, {
      method: 'PATCH',
      json: { attributes: { gender: 'robot', city: 'Xi’an' } },
    });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { details: { problems: { path: string }[] } } }).error.details.problems,
    ).toEqual([expect.objectContaining({ path: 'attributes.gender' })]);
    expect((await profile()).attributes.city).toEqual(expect.objectContaining({ value: '苏州' }));
    expect(
      (await app.request('/api/profiles/999999', { method: 'PATCH', json: { attributes: { city: 'X' } } })).status,
    ).toBe(404);
    expect((await app.request(`/api/profiles/${p.id}`, { method: 'PATCH', json: { city: 'X' } })).status).toBe(400);
  });
});
