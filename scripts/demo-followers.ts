import type { InboundEvent } from '../src/ingest/inbound-event';

/** QR scenes followers came from, with how common each is; `null`: they found the account by search. */
const scenes: [string | null, number][] = [
  ['store-0217', 18],
  ['store-0301', 12],
  ['poster-double11', 15],
  ['event-expo2026', 8],
  ['kol-xiaohongshu', 12],
  [null, 35],
];
/** Scene patterns → channels, for the plugin's `sceneChannels`. */
export const demoSceneChannels = [
  { pattern: 'store-*', channel: 'offline-store' },
  { pattern: 'poster-*', channel: 'offline-poster' },
  { pattern: 'event-*', channel: 'offline-event' },
  { pattern: 'kol-*', channel: 'kol' },
];
/** The channel the plugin gives a scene (as `demoSceneChannels` map it); `wechat` without one. */
function channelOf(scene: string | null): string {
  const match = demoSceneChannels.find((entry) => scene?.startsWith(entry.pattern.slice(0, -1)));
  return match?.channel ?? 'wechat';
}

const cities: [string, number][] = [
  ['Shanghai', 30],
  ['Beijing', 18],
  ['Hangzhou', 12],
  ['Shenzhen', 12],
  ['Guangzhou', 10],
  ['Chengdu', 8],
  ['Nanjing', 6],
  ['Wuhan', 4],
];
const topics = ['sports', 'travel', 'food', 'tech', 'fashion', 'finance', 'health', 'parenting'];
const ageBands: [string, number][] = [
  ['18-24', 20],
  ['25-34', 38],
  ['35-44', 24],
  ['45-54', 12],
  ['55-64', 6],
];
const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'.split('');
const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍'.split('');
const greetings = ['你好', '在吗', '有优惠吗', '怎么预约', '门店几点开门', '谢谢'];

/** A small seeded generator (mulberry32): the same demo every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = 86_400_000;

/**
 * A year of a brand's followers, as the WeChat plugin and the website would hand them in: follows from stores,
 * posters, an expo and a KOL campaign (or by search), article reads clustered on each follower's interests, website
 * visits, favourites, re-scans, purchases, a few messages and some unfollows. Recent activity varies the way real
 * audiences do: a core of active readers, many who went quiet, some who left. Yields one follower's events at a time.
 */
export function* demoFollowers(count: number, now: Date, seed = 20261123): Generator<InboundEvent[]> {
  const next = random(seed);
  const pick = <T>(weighted: [T, number][]): T => {
    let roll = next() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of weighted) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return weighted[weighted.length - 1][0];
  };
  const between = (from: number, to: number) => from + next() * (to - from);
  for (let index = 0; index < count; index += 1) {
    const openid = `oDemo${String(index).padStart(6, '0')}${Math.floor(next() * 1e6).toString(36)}`;
    const identities = [{ type: 'openid' as const, scope: 'default', value: openid }];
    const events: InboundEvent[] = [];
    let sequence = 0;
    const add = (
      type: string,
      at: number,
      channel: string | null,
      properties: Record<string, unknown> = {},
      extra: Partial<InboundEvent> = {},
    ) => {
      events.push({
        key: `${openid}:${(sequence += 1)}`,
        type,
        channel,
        occurredAt: new Date(Math.min(at, now.getTime() - 60_000)),
        identities,
        properties: { account: 'default', ...properties },
        ...extra,
      });
    };
    const followedAt = now.getTime() - Math.pow(next(), 0.8) * 365 * day;
    const scene = pick(scenes);
    const name = `${surnames[Math.floor(next() * surnames.length)]}${given[Math.floor(next() * given.length)]}${next() < 0.5 ? given[Math.floor(next() * given.length)] : ''}`;
    const attributes = { name, city: pick(cities), gender: next() < 0.56 ? 'female' : 'male', ageBand: pick(ageBands) };
    const channel = channelOf(scene);
    add('subscribe', followedAt, channel, scene ? { scene } : {}, { attributes });
    if (scene) add('qr_scan', followedAt, channel, { scene, subscribe: true });

    // How this follower's year went: a core of active readers, many quiet ones, some who left.
    const kind = pick<'core' | 'casual' | 'quiet' | 'gone'>([
      ['core', 18],
      ['casual', 32],
      ['quiet', 38],
      ['gone', 12],
    ]);
    const lastActive =
      kind === 'core'
        ? now.getTime() - between(0, 7) * day
        : kind === 'casual'
          ? now.getTime() - between(3, 28) * day
          : followedAt + between(0, 0.6) * (now.getTime() - followedAt);
    const span = Math.max(day, lastActive - followedAt);
    const favourites = [topics[Math.floor(next() * topics.length)], topics[Math.floor(next() * topics.length)]];
    const reads =
      kind === 'core'
        ? Math.floor(between(6, 14))
        : kind === 'casual'
          ? Math.floor(between(2, 6))
          : Math.floor(between(0, 3));
    for (let read = 0; read < reads; read += 1) {
      // Core readers read in bursts near their last visit (interests need 3 reads in 30 days).
      const at = kind === 'core' && read < 4 ? lastActive - between(0, 20) * day : followedAt + next() * span;
      const topic = next() < 0.8 ? favourites[read % 2] : topics[Math.floor(next() * topics.length)];
      add('article_view', at, 'wechat', { topic, articleId: `a-${topic}-${Math.floor(next() * 40)}` });
      if (next() < 0.12)
        add('article_favorite', at + 60_000, 'wechat', { topic, articleId: `a-${topic}-${Math.floor(next() * 40)}` });
    }
    if (next() < (kind === 'core' ? 0.6 : 0.2))
      add('page_view', followedAt + next() * span, 'website', { url: 'https://brand.example.com/' });
    if (next() < 0.1)
      add('qr_scan', followedAt + next() * span, 'offline-store', { scene: 'store-0217', subscribe: false });
    const purchases = kind === 'core' ? Math.floor(between(0, 4)) : next() < 0.12 ? 1 : 0;
    for (let purchase = 0; purchase < purchases; purchase += 1) {
      add('purchase', followedAt + next() * span, 'website', {
        amount: Math.round(between(30, 900)) * 100,
        currency: 'CNY',
        orderId: `${openid}-${purchase}`,
      });
    }
    // A few wrote recently (their customer-service window is open), some long ago.
    if (kind === 'core' && next() < 0.15)
      add('message', now.getTime() - between(0.1, 40) * 3_600_000, 'wechat', {
        subtype: 'text',
        content: greetings[Math.floor(next() * greetings.length)],
      });
    else if (next() < 0.1)
      add('message', followedAt + next() * span, 'wechat', {
        subtype: 'text',
        content: greetings[Math.floor(next() * greetings.length)],
      });
    if (kind === 'gone') add('unsubscribe', lastActive + between(1, 20) * day, 'wechat');
    events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    yield events;
  }
}
