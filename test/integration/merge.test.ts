import { signTimestampedHmac } from '../../src/util/timestamped-hmac';
import { ageBandOf } from '../../src/profiles/attribute-catalog';
import { crmSecret, startTestApp, type TestApp } from '../support/test-app';

const crmConfig = {
  'crm-webhook': {
    enabled: true,
    sources: [{ name: 'crm', secret: 'env:CRM_WEBHOOK_SECRET' }],
    statusTags: { MQL: 'crm/mql', SQL: 'crm/sql' },
  },
};

const phone = '13912345678';
const unionid = 'oUnion-merge-1';

/** Lead A (phone, email, MQL) and lead B (WeChat unionid, email, SQL): two profiles, tagged by their status. */
const leadA = { id: 'L-A', phone, email: 'a@example.com', name: '张伟', city: 'Shanghai', status: 'MQL' };
const leadB = {
  id: 'L-B',
  wechatUnionId: unionid,
  email: 'b@example.com',
  name: 'Wei Zhang',
  city: 'Beijing',
  status: 'SQL',
};
/** Lead A again, now carrying B's unionid as well: the evidence that A and B are one person. */
const linking = {
  id: 'e-link',
  type: 'lead.updated',
  occurredAt: '2026-11-22T09:00:00Z',
  lead: { id: 'L-A', phone, wechatUnionId: unionid },
};

interface Snapshot {
  identities: unknown[];
  events: unknown[];
  tags: unknown[];
  attributes: unknown[];
}

describe('merging and unmerging profiles', () => {
  let app: TestApp;

  afterEach(async () => {
    await app?.stop();
  });

  async function start(overrides: Record<string, unknown> = {}) {
    app = await startTestApp({ plugins: crmConfig, ...overrides });
  }

  async function crm(events: unknown[]) {
    const raw = JSON.stringify({ events });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${app.url}/webhooks/crm/crm`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-persona-timestamp': String(timestamp),
        'x-persona-signature': signTimestampedHmac(crmSecret, timestamp, raw),
      },
      body: raw,
    });
    expect(response.status).toBe(202);
    await app.persona.worker.drain();
  }

  async function twoLeads(): Promise<[number, number]> {
    await crm([{ id: 'e-a', type: 'lead.created', occurredAt: '2026-11-20T09:00:00Z', lead: leadA }]);
    await crm([{ id: 'e-b', type: 'lead.created', occurredAt: '2026-11-21T09:00:00Z', lead: leadB }]);
    const rows = await app.persona.db.select<{ id: number }>('SELECT id FROM profiles ORDER BY id');
    expect(rows).toHaveLength(2);
    return [Number(rows[0].id), Number(rows[1].id)];
  }

  /** Every row a profile owns, field by field (row ids included: unmerge must give back the very same rows). */
  async function snapshot(profileId: number): Promise<Snapshot> {
    const { db } = app.persona;
    const rows = (sql: string) => db.select<Record<string, unknown>>(sql, [profileId]);
    return {
      identities: await rows(
        'SELECT id, type, scope, value, created_at FROM identities WHERE profile_id = ? ORDER BY id',
      ),
      events: await rows(
        'SELECT id, type, channel, source, source_key, occurred_at, properties FROM events WHERE profile_id = ? ORDER BY id',
      ),
      tags: await rows('SELECT id, name, source, added_at FROM tags WHERE profile_id = ? ORDER BY id'),
      attributes: await rows(
        'SELECT id, name, value, source, updated_at FROM attributes WHERE profile_id = ? ORDER BY id',
      ),
    };
  }

  /** The event property index names each event's current owner (it moves with the events). */
  async function expectPropertyIndexFollowsEvents(): Promise<void> {
    const { db } = app.persona;
    const [{ n }] = await db.select<{ n: number }>('SELECT COUNT(*) AS n FROM event_properties');
    expect(Number(n)).toBeGreaterThan(0);
    const strays = await db.select(
      'SELECT ep.event_id FROM event_properties ep JOIN events e ON e.id = ep.event_id WHERE ep.profile_id <> e.profile_id',
    );
    expect(strays).toEqual([]);
  }

  async function profile(id: number) {
    const response = await app.request(`/api/profiles/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as {
      id: number;
      identities: { type: string; value: string }[];
      tags: { name: string }[];
      attributes: Record<string, { value: unknown; source: string }>;
    };
  }

  it('merges two leads when one CRM event carries both a unionid and a phone, and unmerge restores both exactly', async () => {
    await start();
    const [a, b] = await twoLeads();
    const beforeA = await snapshot(a);
    const beforeB = await snapshot(b);
    expect(beforeA.tags).toEqual([expect.objectContaining({ name: 'crm/mql', source: 'crm' })]);
    expect(beforeB.tags).toEqual([expect.objectContaining({ name: 'crm/sql', source: 'crm' })]);

    await crm([linking]);

    // The older profile survives; the other is a pointer to it.
    expect((await profile(b)).id).toBe(a);
    const merged = await profile(a);
    expect(merged.identities.map((identity) => `${identity.type}:${identity.value}`).sort()).toEqual(
      [
        'crm_id:L-A',
        'crm_id:L-B',
        'email:a@example.com',
        'email:b@example.com',
        `phone:+86${phone}`,
        `unionid:${unionid}`,
      ].sort(),
    );
    expect(merged.tags.map((tag) => tag.name)).toEqual(['crm/mql', 'crm/sql']);
    // Both said `name` with the same source: the newer value (B's) wins on the survivor.
    expect(merged.attributes.name).toEqual(expect.objectContaining({ value: 'Wei Zhang', source: 'crm' }));
    const timeline = await (await app.request(`/api/profiles/${b}/timeline`)).json();
    const types = (timeline as { events: { type: string; properties: Record<string, unknown> }[] }).events;
    expect(types.filter((event) => event.type === 'lead_created')).toHaveLength(2);
    const record = types.find((event) => event.type === 'profile_merged');
    expect(record?.properties).toEqual(
      expect.objectContaining({
        survivorId: a,
        absorbedId: b,
        cause: 'crm-webhook:crm:e-link',
        // Masked: the record outlives the identities.
        evidence: expect.arrayContaining([
          { type: 'phone', scope: '', value: '+86139****5678', profileId: a },
          { type: 'unionid', scope: '', value: 'oUnion…', profileId: b },
        ]),
      }),
    );
    expect(await snapshot(b)).toEqual(expect.objectContaining({ identities: [], events: [] }));
    await expectPropertyIndexFollowsEvents();

    const unmerge = await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' });
    expect(unmerge.status).toBe(200);

    const afterA = await snapshot(a);
    await expectPropertyIndexFollowsEvents();
    expect(await snapshot(b)).toEqual({
      ...beforeB,
      events: [...beforeB.events, expect.objectContaining({ type: 'profile_unmerged' })],
    });
    // A keeps what it learnt since the merge (the linking event) and the record of the merge and unmerge.
    expect(afterA.identities).toEqual(beforeA.identities);
    expect(afterA.tags).toEqual(beforeA.tags);
    expect(afterA.attributes).toEqual(beforeA.attributes);
    expect(afterA.events).toEqual([
      ...beforeA.events,
      expect.objectContaining({ type: 'profile_merged' }),
      expect.objectContaining({ type: 'lead_updated', source_key: 'crm-webhook:crm:e-link' }),
      expect.objectContaining({ type: 'profile_unmerged' }),
    ]);
    expect((await profile(b)).id).toBe(b);
    const [audit] = await app.persona.db.select<{ action: string; subject: string }>(
      "SELECT action, subject FROM audit_log WHERE action = 'profile.unmerged'",
    );
    expect(audit.subject).toMatch(/^merge:\d+$/);

    // Undone once; a second unmerge has nothing to undo.
    expect((await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' })).status).toBe(404);
    // The operator's decision stands: the same evidence again doesn't merge the pair a second time.
    await crm([{ ...linking, id: 'e-link-again' }]);
    expect((await profile(b)).id).toBe(b);
  });

  it('keeps what the survivor learnt after the merge, and gives the absorbed profile its own values back', async () => {
    await start();
    const [a, b] = await twoLeads();
    await crm([linking]);
    // B's newer name won on the survivor; then the CRM corrects the name and the city on the merged person.
    expect((await profile(a)).attributes.name.value).toBe('Wei Zhang');
    await crm([
      {
        id: 'e-later',
        type: 'lead.updated',
        occurredAt: '2026-11-23T09:00:00Z',
        lead: { id: 'L-A', name: 'Zhang Wei', city: 'Hangzhou' },
      },
    ]);
    expect((await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' })).status).toBe(200);
    const [afterA, afterB] = [await profile(a), await profile(b)];
    expect([afterA.attributes.name.value, afterA.attributes.city.value]).toEqual(['Zhang Wei', '杭州']);
    expect([afterB.attributes.name.value, afterB.attributes.city.value]).toEqual(['Wei Zhang', '北京']);
  });

  it('undoes merges newest first', async () => {
    await start();
    const [a, b] = await twoLeads();
    await crm([linking]);
    await crm([
      {
        id: 'e-c',
        type: 'lead.created',
        occurredAt: '2026-11-22T10:00:00Z',
        lead: { id: 'L-C', email: 'c@example.com', city: 'Guangzhou' },
      },
    ]);
    await crm([
      {
        id: 'e-c2',
        type: 'lead.updated',
        occurredAt: '2026-11-22T11:00:00Z',
        lead: { id: 'L-C', email: 'c@example.com', phone },
      },
    ]);
    const [, , c] = (await app.persona.db.select<{ id: number }>('SELECT id FROM profiles ORDER BY id')).map((row) =>
      Number(row.id),
    );
    expect((await profile(c)).id).toBe(a);
    const refused = await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      `profile ${a} absorbed profile ${c} after this merge: unmerge that one first`,
    );
    expect((await app.request(`/api/profiles/${c}/unmerge`, { method: 'POST' })).status).toBe(200);
    expect((await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' })).status).toBe(200);
    expect([
      (await profile(a)).attributes.city.value,
      (await profile(b)).attributes.city.value,
      (await profile(c)).attributes.city.value,
    ]).toEqual(['上海', '北京', '广州']);
  });

  it('keeps the most restrictive consent when merging, whatever precedence would say', async () => {
    await start();
    // A opted in more recently; B opted out earlier. By precedence A's newer value would stand; the opt-out does.
    await crm([
      {
        id: 'e-a',
        type: 'lead.created',
        occurredAt: '2026-11-20T09:00:00Z',
        lead: { ...leadA, attributes: { marketingConsent: true, birthday: '1990-06-01' } },
      },
    ]);
    await crm([
      {
        id: 'e-b',
        type: 'lead.created',
        occurredAt: '2026-11-19T09:00:00Z',
        lead: { ...leadB, attributes: { marketingConsent: '拒绝' } },
      },
    ]);
    await crm([linking]);
    const [a, b] = (await app.persona.db.select<{ id: number }>('SELECT id FROM profiles ORDER BY id')).map((row) =>
      Number(row.id),
    );
    const merged = await profile(b);
    expect(merged.id).toBe(a);
    expect(merged.attributes.marketingConsent).toEqual(expect.objectContaining({ value: false, source: 'crm' }));
    // The age band follows from the birthday (the bands themselves: test/unit/attribute-catalog.test.ts).
    expect(merged.attributes.ageBand).toEqual(
      expect.objectContaining({ value: ageBandOf('1990-06-01', new Date()), source: 'birthday' }),
    );
    // Unmerge gives each their own answer back.
    expect((await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' })).status).toBe(200);
    expect((await profile(a)).attributes.marketingConsent.value).toBe(true);
    expect((await profile(b)).attributes.marketingConsent.value).toBe(false);
  });

  it('in suggest mode lists the merge for an operator, who approves one and rejects another for good', async () => {
    await start({ identities: { merge: 'suggest' } });
    const [a, b] = await twoLeads();
    await crm([linking]);
    expect((await profile(b)).id).toBe(b);

    const listed = (await (await app.request('/api/merges?status=suggested')).json()) as {
      merges: { id: number; survivorId: number; absorbedId: number }[];
    };
    expect(listed.merges).toEqual([expect.objectContaining({ survivorId: a, absorbedId: b })]);
    // The same evidence again doesn't suggest the pair twice.
    await crm([{ ...linking, id: 'e-link-again' }]);
    expect(((await (await app.request('/api/merges')).json()) as { merges: unknown[] }).merges).toHaveLength(1);

    const approved = await app.request(`/api/merges/${listed.merges[0].id}/approve`, { method: 'POST' });
    expect(approved.status).toBe(200);
    expect((await profile(b)).id).toBe(a);
    expect((await app.request(`/api/merges/${listed.merges[0].id}/approve`, { method: 'POST' })).status).toBe(409);

    // A third lead linked to A by email: rejected, it stays apart and is not suggested again.
    await crm([
      {
        id: 'e-c',
        type: 'lead.created',
        occurredAt: '2026-11-22T10:00:00Z',
        lead: { id: 'L-C', email: 'c@example.com' },
      },
    ]);
    await crm([
      {
        id: 'e-c2',
        type: 'lead.updated',
        occurredAt: '2026-11-22T11:00:00Z',
        lead: { id: 'L-C', email: 'c@example.com', phone },
      },
    ]);
    const [suggestion] = ((await (await app.request('/api/merges')).json()) as { merges: { id: number }[] }).merges;
    expect((await app.request(`/api/merges/${suggestion.id}/reject`, { method: 'POST' })).status).toBe(200);
    await crm([
      {
        id: 'e-c3',
        type: 'lead.updated',
        occurredAt: '2026-11-22T12:00:00Z',
        lead: { id: 'L-C', email: 'c@example.com', phone },
      },
    ]);
    expect(((await (await app.request('/api/merges')).json()) as { merges: unknown[] }).merges).toEqual([]);
    const [{ n }] = await app.persona.db.select<{ n: number }>(
      'SELECT COUNT(*) AS n FROM profiles WHERE merged_into IS NULL',
    );
    expect(Number(n)).toBe(2);
  });

  it('refuses to unmerge a profile that is not merged, and to act on a merge id that is not a number', async () => {
    await start();
    const [a] = await twoLeads();
    const response = await app.request(`/api/profiles/${a}/unmerge`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      `profile ${a} is not part of a merge`,
    );
    expect((await app.request('/api/merges/abc/approve', { method: 'POST' })).status).toBe(400);
    expect((await app.request('/api/merges?status=maybe')).status).toBe(400);
  });

  it('erasing a person once unmerged leaves none of their data on the profile they were merged into', async () => {
    await start();
    const [a, b] = await twoLeads();
    await crm([linking]);
    expect((await app.request(`/api/profiles/${b}/unmerge`, { method: 'POST' })).status).toBe(200);
    expect((await app.request(`/api/profiles/${b}`, { method: 'DELETE' })).status).toBe(200);
    expect((await profile(a)).id).toBe(a);
    for (const table of [
      'identities',
      'attributes',
      'tags',
      'events',
      'merges',
      'merge_moves',
      'inbox',
      'webhook_deliveries',
    ]) {
      const dump = JSON.stringify(await app.persona.db.select<Record<string, unknown>>(`SELECT * FROM ${table}`));
      for (const secret of ['b@example.com', unionid, 'Wei Zhang']) expect(dump).not.toContain(secret);
    }
  });

  it('erasing a merged person erases the absorbed profile and the merge records too', async () => {
    await start();
    const [a, b] = await twoLeads();
    await crm([linking]);
    expect((await app.request(`/api/profiles/${b}`, { method: 'DELETE' })).status).toBe(200);
    expect((await app.request(`/api/profiles/${a}`)).status).toBe(404);
    expect((await app.request(`/api/profiles/${b}`)).status).toBe(404);
    const { db } = app.persona;
    for (const table of [
      'identities',
      'attributes',
      'tags',
      'subscriptions',
      'events',
      'merges',
      'merge_moves',
      'inbox',
      'audit_log',
    ]) {
      const rows = await db.select<Record<string, unknown>>(`SELECT * FROM ${table}`);
      const dump = JSON.stringify(rows);
      for (const secret of ['a@example.com', 'b@example.com', phone, unionid]) expect(dump).not.toContain(secret);
    }
  });
});
