import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

const day = 86_400_000;

describe('built-in computed tags', () => {
  let app: TestApp;
  let now = new Date('2026-11-20T04:00:00Z');
  const openid = { type: 'openid' as const, scope: 'default', value: 'oComputed' };

  beforeEach(async () => {
    now = new Date('2026-11-20T04:00:00Z');
    app = await startTestApp({ rules: defaultRules }, undefined, { clock: () => now });
  });

  afterEach(async () => {
    await app.stop();
  });

  const send = async (
    key: string,
    type: string,
    properties: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    await app.persona.accept('test', [
      { key, type, channel: 'wechat', occurredAt: now, identities: [openid], properties, ...extra },
    ]);
    await app.persona.worker.drain();
  };
  const tags = async () => {
    const found = (await (await app.request(`/api/profiles?identity=openid:default:${openid.value}`)).json()) as {
      profiles: { tags: { name: string; source: string; expiresAt: string | null }[] }[];
    };
    return found.profiles[0].tags.filter(
      (tag) => !tag.name.startsWith('lifecycle/') && !tag.name.startsWith('activity/'),
    );
  };
  const tagsIn = async (...categories: string[]) => {
    const found = (await (await app.request(`/api/profiles?identity=openid:default:${openid.value}`)).json()) as {
      profiles: { tags: { name: string; category: string }[] }[];
    };
    return found.profiles[0].tags.filter((tag) => categories.includes(tag.category)).map((tag) => tag.name);
  };

  it('reads interests from the words a follower writes, for 90 days after the last such message', async () => {
    await send('m1', 'message', { account: 'default', subtype: 'text', content: '最近在练瑜伽，想找个跑步搭子' });
    expect(await tags()).toEqual([
      {
        name: 'interest/sports',
        category: 'interest',
        source: 'keyword',
        addedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 90 * day).toISOString(),
      },
    ]);
    // Another message a month later: the tag lasts 90 days from that one.
    now = new Date(now.getTime() + 30 * day);
    await send('m2', 'message', { account: 'default', subtype: 'text', content: '周末去打篮球' });
    expect((await tags())[0].expiresAt).toBe(new Date(now.getTime() + 90 * day).toISOString());
    now = new Date(now.getTime() + 91 * day);
    expect(await app.persona.rulesModule.operatorTags.expire()).toBe(1);
    expect(await tags()).toEqual([]);
  });

  it('tags demographics from attributes and interests from repeated reads', async () => {
    await send('who', 'form_submit', {}, { attributes: { gender: 'female', birthday: '1995-06-01' } });
    expect((await tags()).map((tag) => [tag.name, tag.source])).toEqual([
      ['demographic/age-25-34', 'rule:demographic/age-25-34'],
      ['demographic/female', 'rule:demographic/female'],
    ]);
    for (const n of [1, 2, 3]) await send(`read-${n}`, 'article_view', { articleId: `t${n}`, topic: 'travel' });
    expect((await tags()).map((tag) => tag.name)).toContain('interest/travel');
  });

  it('keeps an activity level from the interactions of the last 30 days, leaving out what Persona records itself', async () => {
    await send('a0', 'subscribe', { account: 'default' });
    expect(await tagsIn('activity')).toEqual(['activity/low']);
    for (const n of [1, 2, 3, 4]) await send(`a${n}`, 'article_view', { articleId: `x${n}` });
    // Five interactions: the follow and four reads (the tag and lifecycle changes they caused don't count).
    expect(await tagsIn('activity')).toEqual(['activity/medium']);
    for (let n = 5; n < 20; n += 1) await send(`a${n}`, 'menu_click', { key: `m${n}` });
    expect(await tagsIn('activity')).toEqual(['activity/high']);
    // A month of silence: the nightly recompute takes the level away.
    now = new Date(now.getTime() + 31 * day);
    await app.persona.rulesModule.recompute.run(now, app.persona.log);
    expect(await tagsIn('activity')).toEqual([]);
  });

  it('bands purchases and won deals by recency, frequency and spend (RFM)', async () => {
    await send('p1', 'purchase', { amount: 60_000, orderId: 'o1' });
    // The API lists tags by name.
    expect(await tagsIn('recency', 'frequency', 'monetary')).toEqual(['frequency/low', 'monetary/low', 'recency/30d']);
    now = new Date(now.getTime() + 10 * day);
    await send('p2', 'purchase', { amount: 50_000, orderId: 'o2' });
    // Two purchases, ¥1,100 together.
    expect(await tagsIn('recency', 'frequency', 'monetary')).toEqual([
      'frequency/medium',
      'monetary/medium',
      'recency/30d',
    ]);
    now = new Date(now.getTime() + 5 * day);
    await send('d1', 'deal_won', { amount: 400_000, dealId: 'd1' }, { channel: 'crm' });
    expect(await tagsIn('recency', 'frequency', 'monetary')).toEqual([
      'frequency/medium',
      'monetary/high',
      'recency/30d',
    ]);
    // Two months without buying: recency moves to 90 days; a year after the last one, every band has gone.
    now = new Date(now.getTime() + 60 * day);
    await app.persona.rulesModule.recompute.run(now, app.persona.log);
    expect(await tagsIn('recency', 'frequency', 'monetary')).toEqual([
      'frequency/medium',
      'monetary/high',
      'recency/90d',
    ]);
    now = new Date(now.getTime() + 366 * day);
    await app.persona.rulesModule.recompute.run(now, app.persona.log);
    expect(await tagsIn('recency', 'frequency', 'monetary')).toEqual([]);
  });
});
