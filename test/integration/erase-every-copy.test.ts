import { botOperators, command } from '../support/bot-fixtures';
import { FakeOpenAi } from '../support/fake-openai';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { allTables, tablesWithProfileColumns, tracesOf } from '../support/person-traces';
import { pushSettings, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventMessage, sampleAccount, signedPost, textMessage, wechatXml } from '../support/wechat-client';

const person = {
  openid: 'oEraseMe-8xZq_41',
  unionid: 'uEraseUnion77',
  email: 'erase.me@example.com',
  phone: '+8613700001111',
  crmId: 'CRM-4711',
  anonymousId: 'anon-erase-5c1f',
};
/** What else is theirs: the phone as typed without the country code, their name, what they wrote. */
const personal = [...Object.values(person), '13700001111', '赵六', '马拉松报名'];

describe('erasure leaves no copy of the person anywhere in the database', () => {
  let fake: FakeWechatApi;
  let openai: FakeOpenAi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');
  const createTime = Math.floor(now.getTime() / 1000) - 3600;

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    openai = await FakeOpenAi.start();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: { ...pushSettings(), publicUrl: 'https://persona.example.com' },
        bot: { operators: botOperators, commandsPerMinute: 60 },
        webhooks: {
          subscribers: [
            {
              name: 'crm',
              url: 'http://127.0.0.1:9/hooks',
              secret: 'env:OUTBOUND_WEBHOOK_SECRET',
              events: ['profile.merged', 'profile.attribute_changed'],
            },
          ],
        },
        ai: {
          apiKey: 'env:TEST_OPENAI_API_KEY',
          baseUrl: openai.baseUrl,
          maxRetries: 0,
          classification: { enabled: true, perDay: 10, batchSize: 5 },
        },
      },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
    await openai.close();
  });

  const wechat = (xml: string) => {
    const request = signedPost(sampleAccount, xml, { openid: person.openid });
    return fetch(`${app.url}/wechat?${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    });
  };
  const events = (body: unknown) => app.request('/api/events', { method: 'POST', json: body });
  const profileIdBy = async (identity: string) => {
    const body = (await (await app.request(`/api/profiles?identity=${identity}`)).json()) as {
      profiles: { id: number }[];
    };
    return body.profiles[0]?.id;
  };
  const follow = () => wechat(eventMessage(person.openid, 'subscribe', {}, createTime));
  const write = () =>
    wechat(textMessage(person.openid, '马拉松报名 erase.me@example.com', '24010001', createTime + 60));
  const signUp = {
    id: `signup:${person.email}`,
    type: 'form_submit',
    identities: { email: 'Erase.Me@Example.com', anonymousId: person.anonymousId },
    attributes: { name: '赵六' },
  };

  /** Everything Persona can come to hold about a follower: two profiles merged, a push, clicks, reports, bot lookups. */
  async function living(): Promise<number> {
    await events(signUp);
    await app.persona.worker.drain();
    expect((await follow()).status).toBe(200);
    expect((await write()).status).toBe(200);
    await events({
      id: 'crm-link',
      type: 'lead.created',
      identities: { openid: person.openid, unionid: person.unionid, crmId: person.crmId },
    });
    await app.persona.worker.drain();
    // Email and unionid are both strong: the sign-up's profile and the follower's are one person.
    await events({
      id: `visit:${person.email}`,
      type: 'page_view',
      identities: { email: person.email, unionid: person.unionid, phone: '137 0000 1111' },
      attributes: { city: 'Hangzhou' },
    });
    await events({ id: 'other', type: 'page_view', identities: { email: 'keep@example.com' } });
    await app.persona.worker.drain();

    const planned = await app.request('/api/pushes', {
      method: 'POST',
      json: {
        expression: 'subscribed',
        content: { message: { type: 'text', text: '报名：https://brand.cn/run' }, trackLinks: true },
      },
    });
    const { id: pushId } = (await planned.json()) as { id: number };
    expect((await app.request(`/api/pushes/${pushId}/confirm`, { method: 'POST' })).status).toBe(200);
    await app.persona.pushWorker.drain();
    const [sent] = fake.customMessages;
    const token = /\/r\/(\S+)/.exec((sent.body as { text: { content: string } }).text.content)?.[1];
    expect((await app.request(`/r/${token}`, { auth: null, redirect: 'manual' })).status).toBe(302);
    await wechat(
      wechatXml({
        ToUserName: 'gh_test',
        FromUserName: person.openid,
        CreateTime: createTime + 120,
        MsgType: 'event',
        Event: 'TEMPLATESENDJOBFINISH',
        MsgID: '200163836',
        Status: 'success',
      }),
    );
    await app.persona.worker.drain();

    openai.nextJson({ results: [{ index: 0, interests: ['sports'] }] });
    expect(await app.persona.jobs.trigger('ai-interest-classification', now)).toBe('succeeded');
    for (const lookup of [
      '/whois Erase.Me@Example.com',
      '/whois "137 0000 1111"',
      '/whois "+86 137-0000-1111"',
      `/whois ${person.openid}`,
      `/whois unionid:${person.unionid}`,
      `/whois crm:${person.crmId}`,
      '/whois keep@example.com',
    ]) {
      expect((await command(app, 'wxid_admin', lookup)).status).toBe(200);
    }
    return (await profileIdBy(`openid:default:${person.openid}`)) as number;
  }

  it('exports every copy of them, from every room, and no one else (GET /api/profiles/:id/export)', async () => {
    const id = await living();
    const response = await app.request(`/api/profiles/${id}/export`);
    expect(response.status).toBe(200);
    const exported = (await response.json()) as {
      profileId: number;
      mergedProfileIds: number[];
      exportedAt: string;
      tables: Record<string, Record<string, unknown>[]>;
    };
    expect(exported).toMatchObject({ profileId: id, exportedAt: now.toISOString() });
    // The sign-up's profile merged into the follower's: its rows are theirs too.
    expect(exported.mergedProfileIds).toHaveLength(1);
    // Every table holding a trace of them is in the export, with rows; left out are copies of what it holds: raw inbox
    // payloads (until the purge), a push plan's sample, a merge's before-images.
    const traced = new Set((await tracesOf(app.persona.db, personal)).map((column) => column.split('.')[0]));
    for (const table of ['inbox', 'pushes', 'merge_moves']) traced.delete(table);
    const withRows = Object.entries(exported.tables)
      .filter(([, rows]) => rows.length > 0)
      .map(([table]) => table);
    // Beyond the traces: what is about them without naming them (their tags, follow state, AI findings).
    const expected = [...traced, 'tags', 'subscriptions', 'ai_classifications'];
    expect(expected.filter((table) => !withRows.includes(table))).toEqual([]);
    const text = JSON.stringify(exported.tables);
    for (const value of [person.openid, person.unionid, person.email, person.crmId, person.anonymousId, '赵六']) {
      expect(text).toContain(value);
    }
    // Times read the same on both databases; nobody else's data is in it.
    expect(exported.tables.profiles[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(text).not.toContain('keep@example.com');
    // Handing someone's data over is recorded, naming who asked.
    const audited = await app.persona.db.select<{ actor: string; subject: string }>(
      "SELECT actor, subject FROM audit_log WHERE action = 'profile.exported'",
    );
    expect(audited).toEqual([{ actor: expect.stringMatching(/^admin /), subject: `profile:${id}` }]);

    // Every table that can name a profile is some room's to export (and erase).
    const handled = new Set(app.persona.personData.list().flatMap((handler) => handler.tables));
    expect((await tablesWithProfileColumns(app.persona.db)).filter((table) => !handled.has(table))).toEqual([]);

    expect((await app.request(`/api/profiles/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await app.request(`/api/profiles/${id}/export`)).status).toBe(404);
  });

  it('finds none of their identities, name or words in any column of any table after DELETE /api/profiles/:id', async () => {
    const id = await living();
    const before = await tracesOf(app.persona.db, personal);
    // The scenario reaches every kind of copy (else the check after proves nothing).
    expect(before).toEqual(
      expect.arrayContaining([
        'identities.value',
        'attributes.value',
        'events.source_key',
        'events.properties',
        'inbox.payload',
        'inbox.source_key',
        'merges.cause',
        'event_properties.value_key',
        'pushes.plan',
        'push_deliveries.openid',
        'delivery_reports.recipient',
        'webhook_deliveries.payload',
        'bot_audit.text',
      ]),
    );
    const [{ n: classified }] = await app.persona.db.select<{ n: number }>(
      'SELECT COUNT(*) AS n FROM ai_classifications',
    );
    expect(Number(classified)).toBe(1);

    expect((await app.request(`/api/profiles/${id}`, { method: 'DELETE' })).status).toBe(200);

    expect(await allTables(app.persona.db)).toEqual(
      expect.arrayContaining(['bot_audit', 'events', 'inbox', 'push_deliveries']),
    );
    expect(await tracesOf(app.persona.db, personal)).toEqual([]);
    // Others are untouched: the other person, and what the operators asked (with the person's part redacted).
    expect(await tracesOf(app.persona.db, ['keep@example.com'])).toEqual(
      expect.arrayContaining(['bot_audit.text', 'identities.value']),
    );
    const audit = await app.persona.db.select<{ text: string }>('SELECT text FROM bot_audit ORDER BY id');
    expect(audit.map((row) => row.text)).toEqual([
      '/whois [erased]',
      '/whois "[erased]"',
      '/whois "[erased]"',
      '/whois [erased]',
      '/whois unionid:[erased]',
      '/whois crm:[erased]',
      '/whois keep@example.com',
    ]);
    // What isn't an identity but is about them goes too: the model's findings, their place in a plan's sample.
    expect(await app.persona.db.select('SELECT * FROM ai_classifications')).toEqual([]);
    const [push] = await app.persona.db.select<{ plan: string }>('SELECT plan FROM pushes');
    expect((JSON.parse(push.plan) as { sample: unknown[] }).sample).toEqual([]);
    // Counts stay: the push's delivery and WeChat's report of the template message, without the person.
    expect(await app.persona.db.select('SELECT status, openid FROM push_deliveries')).toEqual([
      { status: 'sent', openid: null },
    ]);
    expect(await app.persona.db.select('SELECT status, recipient FROM delivery_reports')).toEqual([
      { status: 'success', recipient: null },
    ]);
  });

  it('still recognises their messages and events sent again after the erasure as duplicates', async () => {
    const id = await living();
    const [{ n: eventsBefore }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect((await app.request(`/api/profiles/${id}`, { method: 'DELETE' })).status).toBe(200);

    // WeChat retries the message and the follow; the shop posts the sign-up again.
    expect((await write()).status).toBe(200);
    expect((await follow()).status).toBe(200);
    expect((await events(signUp)).status).toBe(202);
    await app.persona.worker.drain();

    const [{ n: eventsAfter }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect(Number(eventsAfter)).toBe(Number(eventsBefore));
    expect(await profileIdBy(`openid:default:${person.openid}`)).toBeUndefined();
    expect(await profileIdBy(`email:${person.email}`)).toBeUndefined();
    const outcomes = await app.persona.db.select<{ status: string }>("SELECT status FROM inbox WHERE status <> 'done'");
    expect(outcomes).toEqual([]);
  });
});
