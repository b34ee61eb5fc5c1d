import type { InboundEvent } from '../../src/ingest/inbound-event';

const day = 86_400_000;
/** The time the population is built around (tests pin the clock to it). */
export const whatIfNow = new Date('2026-11-20T04:00:00Z');
const now = whatIfNow;

/** A small deterministic generator, so the population is the same on every run and database. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** 80 followers with different habits: some are loyal already, some close to it, most far from it. */
export function population(): InboundEvent[] {
  const next = random(20261124);
  const events: InboundEvent[] = [];
  for (let person = 0; person < 80; person += 1) {
    const identities = [{ type: 'openid' as const, scope: 'default', value: `oWhatIf${person}` }];
    const event = (type: string, daysAgo: number, properties: Record<string, unknown>, channel = 'wechat') => {
      events.push({
        key: `p${person}-${events.length}`,
        type,
        channel,
        occurredAt: new Date(now.getTime() - daysAgo * day - person * 60_000),
        identities,
        properties,
      });
    };
    event('subscribe', 40, { account: 'default' });
    if (next() < 0.7) event('page_view', 39, { url: '/' }, 'website');
    if (next() < 0.6) event('qr_scan', 38, { scene: `store-${person % 3}` });
    const favorites = Math.floor(next() * 5);
    for (let n = 0; n < favorites; n += 1) event('article_favorite', 30 - n, { articleId: `a${n}` });
    const readingDays = Math.floor(next() * 5);
    for (let d = 0; d < readingDays; d += 1)
      for (let n = 0; n < 1 + Math.floor(next() * 5); n += 1)
        event('article_view', 20 - d, { articleId: `r${d}-${n}`, topic: 'sports' });
  }
  return events;
}
