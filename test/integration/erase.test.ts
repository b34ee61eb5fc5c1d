import { startTestApp, type TestApp } from '../support/test-app';

const tables = [
  'profiles',
  'identities',
  'attributes',
  'events',
  'inbox',
  'subscriptions',
  'delivery_reports',
  'audit_log',
];

describe('DELETE /api/profiles/:id (erasure)', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp();
  });

  afterEach(async () => {
    await app.stop();
  });

  async function everything(): Promise<string> {
    const dumps = await Promise.all(tables.map((table) => app.persona.db.select(`SELECT * FROM ${table}`)));
    return JSON.stringify(dumps);
  }

  it('leaves no email or phone anywhere, keeps de-personalized events, audits the erasure, and answers 404 after', async () => {
    const person = { email: 'erase.me@example.com', phone: '13700001111' };
    await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          {
            id: 'x1',
            type: 'form_submit',
            identities: person,
            properties: { note: 'call erase.me@example.com' },
            attributes: { name: '赵六', company: 'Acme' },
          },
          { id: 'x2', type: 'page_view', identities: { email: person.email } },
        ],
      },
    });
    await app.request('/api/events', {
      method: 'POST',
      json: { id: 'y1', type: 'page_view', identities: { email: 'keep@example.com' } },
    });
    await app.persona.worker.drain();
    const found = await app.request('/api/profiles?identity=email:erase.me@example.com');
    const [{ id }] = ((await found.json()) as { profiles: { id: number }[] }).profiles;
    expect(await everything()).toContain('erase.me@example.com');

    const erased = await app.request(`/api/profiles/${id}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { erased: { identities: number; attributes: number } }).erased).toEqual(
      expect.objectContaining({ profileId: id, identities: 2, attributes: 2 }),
    );

    const remaining = await everything();
    expect(remaining).not.toContain('erase.me@example.com');
    expect(remaining).not.toContain('13700001111');
    expect(remaining).not.toContain('赵六');
    expect(remaining).toContain('keep@example.com');
    expect((await app.request(`/api/profiles/${id}`)).status).toBe(404);
    expect((await app.request(`/api/profiles/${id}/timeline`)).status).toBe(404);
    expect((await app.request(`/api/profiles/${id}`, { method: 'DELETE' })).status).toBe(404);
    const events = await app.persona.db.select<{ type: string; properties: string }>(
      'SELECT type, properties FROM events WHERE profile_id = ? ORDER BY id',
      [id],
    );
    expect(
      events.filter((event) => event.type !== 'attribute_changed').map((event) => [event.type, event.properties]),
    ).toEqual([
      ['form_submit', '{}'],
      ['page_view', '{}'],
    ]);
    const audit = await app.persona.db.select<{ actor: string; action: string; subject: string }>(
      'SELECT actor, action, subject FROM audit_log',
    );
    expect(audit).toEqual([
      { actor: expect.stringContaining('admin'), action: 'profile.erased', subject: `profile:${id}` },
    ]);

    // The same person coming back is a new, empty profile.
    await app.request('/api/events', {
      method: 'POST',
      json: { id: 'z1', type: 'page_view', identities: { email: person.email } },
    });
    await app.persona.worker.drain();
    const again = await app.request('/api/profiles?identity=email:erase.me@example.com');
    const [back] = ((await again.json()) as { profiles: { id: number; attributes: object }[] }).profiles;
    expect(back.id).not.toBe(id);
    expect(back.attributes).toEqual({});
  });
});
