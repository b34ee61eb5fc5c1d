import { FakeWechatApi } from '../support/fake-wechat-api';
import { profileOf, pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

interface ProfileBody {
  identities: { type: string; value: string }[];
  attributes: Record<string, { value: unknown; source: string }>;
}

describe('looking followers up (user/info/batchget)', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      { plugins: { 'wechat-official-account': wechatApiPlugin(fake) }, pushes: pushSettings() },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const profile = async (openid: string) =>
    (await (await app.request(`/api/profiles/${await profileOf(app, openid)}`)).json()) as ProfileBody;
  const lookups = () => fake.requests.filter((request) => request.path.endsWith('user/info/batchget'));

  it('adds unionids and subscribe scenes to followers not looked up yet, once each, without timeline activity', async () => {
    for (const openid of ['oStore', 'oSearch', 'oGone', 'oKnown'])
      await record(app, openid, [{ key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 86_400_000) }]);
    // Someone the CRM knows by a unionid WeChat will also give another follower: not linked here.
    await app.persona.accept('test', [
      {
        key: 'crm',
        type: 'lead_created',
        channel: 'crm',
        occurredAt: now,
        identities: [{ type: 'unionid', scope: '', value: 'uShared' }],
        properties: {},
      },
    ]);
    await app.persona.worker.drain();
    fake.setUser('oStore', {
      subscribe: 1,
      unionid: 'uStore',
      subscribe_scene: 'ADD_SCENE_QR_CODE',
      qr_scene_str: 'store-0217',
      language: 'zh_CN',
    });
    fake.setUser('oSearch', { subscribe: 1, subscribe_scene: 'ADD_SCENE_SEARCH' });
    fake.setUser('oKnown', { subscribe: 1, unionid: 'uShared', subscribe_scene: 'ADD_SCENE_PROFILE_CARD' });
    const timelineBefore = await (await app.request(`/api/profiles/${await profileOf(app, 'oStore')}/timeline`)).json();

    expect(await app.persona.jobs.trigger('wechat-official-account.follower-info', now)).toBe('succeeded');
    expect(lookups()).toHaveLength(1);
    expect(
      (lookups()[0].body as { user_list: { openid: string }[] }).user_list.map((user) => user.openid).sort(),
    ).toEqual(['oGone', 'oKnown', 'oSearch', 'oStore']);

    const store = await profile('oStore');
    expect(store.identities.map((identity) => [identity.type, identity.value]).sort()).toEqual([
      ['openid', 'oStore'],
      ['unionid', 'uStore'],
    ]);
    expect(
      Object.fromEntries(Object.entries(store.attributes).map(([name, view]) => [name, [view.value, view.source]])),
    ).toEqual({
      language: ['zh-CN', 'wechat'],
      qrScene: ['store-0217', 'wechat'],
      subscribeScene: ['ADD_SCENE_QR_CODE', 'wechat'],
    });
    expect((await profile('oSearch')).attributes.subscribeScene.value).toBe('ADD_SCENE_SEARCH');
    expect((await profile('oGone')).attributes.subscribeScene.value).toBe('unsubscribed');
    // The unionid is someone else's: not linked (an event naming both would merge them).
    expect((await profile('oKnown')).identities.map((identity) => identity.type)).toEqual(['openid']);
    // Only Persona's own records of the attribute changes: nothing the follower did.
    const timelineAfter = (await (
      await app.request(`/api/profiles/${await profileOf(app, 'oStore')}/timeline`)
    ).json()) as { events: { type: string; source: string }[] };
    const added = timelineAfter.events.slice(
      0,
      timelineAfter.events.length - (timelineBefore as { events: unknown[] }).events.length,
    );
    expect(added.map((event) => [event.type, event.source])).toEqual([
      ['attribute_changed', 'persona'],
      ['attribute_changed', 'persona'],
      ['attribute_changed', 'persona'],
    ]);

    // Everyone has been looked up: the next run asks WeChat nothing.
    expect(
      await app.persona.jobs.trigger('wechat-official-account.follower-info', new Date(now.getTime() + 3_600_000)),
    ).toBe('succeeded');
    expect(lookups()).toHaveLength(1);
  });
});
