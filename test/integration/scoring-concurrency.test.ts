import type { InboundEvent } from '../../src/ingest/inbound-event';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

const day = 86_400_000;
const now = new Date('2026-11-20T04:00:00Z');
const types = [
  'page_view',
  'qr_scan',
  'article_favorite',
  'article_view',
  'article_view',
  'article_view',
  'subscribe',
  'unsubscribe',
];

/**
 * Events of 150 people over 60 days, in a shuffled order, through the default rules: 2,000 by default to keep the
 * suite quick; SCORING_EVENTS=10000 runs the full size.
 */
const eventCount = Number(process.env.SCORING_EVENTS ?? 2000);

function events(): InboundEvent[] {
  let state = 42;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: eventCount }, (_, index) => {
    const type = types[Math.floor(next() * types.length)];
    const person = Math.floor(next() * 150);
    return {
      key: `e${index}`,
      type,
      channel: type === 'page_view' && next() < 0.5 ? 'website' : 'wechat',
      occurredAt: new Date(now.getTime() - Math.floor(next() * 60 * day)),
      identities: [{ type: 'openid' as const, scope: 'default', value: `oBusy${person}` }],
      properties: { articleId: `a${Math.floor(next() * 6)}`, scene: `s${Math.floor(next() * 3)}`, account: 'default' },
    };
  });
}

/** What scoring and tagging made of the events: comparable across databases by the events' keys and people's openids. */
async function outcome(app: TestApp) {
  const { db } = app.persona;
  const ledger = await db.select<{ source_key: string; rule_id: string; points: number }>(
    'SELECT e.source_key, l.rule_id, l.points FROM score_ledger l JOIN events e ON e.id = l.event_id ORDER BY e.source_key, l.rule_id',
  );
  const person = 'SELECT i.profile_id, i.value FROM identities i';
  const scores = await db.select<{ value: string; score_group: string; points: number }>(
    `SELECT i.value, s.score_group, s.points FROM scores s JOIN (${person}) i ON i.profile_id = s.profile_id ORDER BY i.value, s.score_group`,
  );
  const tags = await db.select<{ value: string; name: string; source: string }>(
    `SELECT i.value, t.name, t.source FROM tags t JOIN (${person}) i ON i.profile_id = t.profile_id ORDER BY i.value, t.name`,
  );
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE source = 'test'");
  return {
    ledger,
    scores: scores.map((row) => ({ ...row, points: Math.round(Number(row.points) * 1e6) / 1e6 })),
    tags,
    events: Number(n),
  };
}

describe('scoring under replays and concurrent workers', () => {
  it(
    `gives the same ledger, scores and tags from one pass, from the same ${eventCount} events replayed, and from two workers at once`,
    async () => {
      const all = events();
      // One event per transaction here; the two workers below commit groups, as production does.
      const single = await startTestApp(
        { rules: defaultRules, ingest: { worker: { entriesPerTransaction: 1 } } },
        undefined,
        { clock: () => now },
      );
      let expected: Awaited<ReturnType<typeof outcome>>;
      try {
        await single.persona.accept('test', all);
        await single.persona.worker.drain();
        expected = await outcome(single);
        expect(expected.events).toBe(eventCount);
        expect(expected.ledger.length).toBeGreaterThan(eventCount / 10);

        // Replayed: every event again; nothing changes.
        await single.persona.accept('test', all);
        await single.persona.worker.drain();
        expect(await outcome(single)).toEqual(expected);
      } finally {
        await single.stop();
      }

      // Two instances on one database, each with its worker, draining the same inbox at once.
      const database = await createTestDatabase();
      const grouped = { rules: defaultRules, ingest: { worker: { entriesPerTransaction: 50 } } };
      const first = await startTestApp(grouped, database, { clock: () => now });
      const second = await startTestApp(grouped, database, { clock: () => now });
      try {
        await first.persona.accept('test', all);
        await Promise.all([first.persona.worker.drain(), second.persona.worker.drain()]);
        expect(await outcome(first)).toEqual(expected);
      } finally {
        await second.persona.stop();
        await first.stop();
      }
    },
    60_000 + eventCount * 30,
  );
});
