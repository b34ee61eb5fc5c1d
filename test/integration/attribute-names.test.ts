import { startTestApp, type TestApp } from '../support/test-app';

interface ProfileBody {
  id: number;
  attributes: Record<string, { value: unknown; source: string }>;
}

/** Attribute names that are also names of Object.prototype's members are names like any other. */
describe('attributes named like built-ins', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.stop();
  });

  async function send(
    id: string,
    email: string,
    attributes: Record<string, unknown>,
    identities: Record<string, string> = {},
  ) {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: {
        id,
        type: 'form_submit',
        occurredAt: '2026-11-02T00:00:00Z',
        identities: { email, ...identities },
        attributes,
      },
    });
    expect(response.status).toBe(202);
    await app.persona.worker.drain();
  }

  async function profile(email: string): Promise<ProfileBody> {
    const found = await app.request(`/api/profiles?identity=email:${email}`);
    return ((await found.json()) as { profiles: ProfileBody[] }).profiles[0];
  }

  async function failedInboxRows(): Promise<number> {
    const [{ n }] = await app.persona.db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM inbox WHERE status <> 'done'",
    );
    return Number(n);
  }

  it('are written by PATCH as the operator', async () => {
    await send('p1', 'patch@example.com', { city: 'Suzhou' });
    const { id } = await profile('patch@example.com');
    const set = await app.request(`/api/profiles/${id}`, {
      method: 'PATCH',
      json: { attributes: { constructor: 'built', toString: 'yes' } },
    });
    expect(set.status).toBe(200);
    // The second write ranks the new value against the one held.
    const changed = await app.request(`/api/profiles/${id}`, {
      method: 'PATCH',
      json: { attributes: { constructor: null, toString: 'no' } },
    });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { changed: string[] }).changed.sort()).toEqual(['constructor', 'toString']);
    const p = await profile('patch@example.com');
    expect(p.attributes.toString).toEqual(expect.objectContaining({ value: 'no', source: 'operator' }));
    expect(Object.hasOwn(p.attributes, 'constructor')).toBe(false);
  });

  it('are written again by later events', async () => {
    await send('e1', 'events@example.com', { valueOf: 1 });
    await send('e2', 'events@example.com', { valueOf: 2 });
    expect(await failedInboxRows()).toBe(0);
    expect((await profile('events@example.com')).attributes.valueOf).toEqual(
      expect.objectContaining({ value: 2, source: 'api' }),
    );
  });

  it("don't keep two profiles that both hold one from merging", async () => {
    await send('m1', 'first@example.com', { valueOf: 'first' });
    await send('m2', 'second@example.com', { valueOf: 'second' }, { phone: '13800138001' });
    // One event naming both strong identities: they are one person.
    await send('m3', 'first@example.com', {}, { phone: '13800138001' });
    expect(await failedInboxRows()).toBe(0);
    const first = await profile('first@example.com');
    const second = await app.request('/api/profiles?identity=phone:%2B8613800138001');
    expect(((await second.json()) as { profiles: ProfileBody[] }).profiles[0].id).toBe(first.id);
    expect(first.attributes.valueOf).toEqual(expect.objectContaining({ value: 'second' }));
  });
});
