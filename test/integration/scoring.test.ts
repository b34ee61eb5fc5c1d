import type { InboundEvent } from '../../src/ingest/inbound-event';
import { InboxWorker } from '../../src/ingest/inbox.worker';
import { decayFactor } from '../../src/rules/score-decay';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

const day = 86_400_000;
const start = new Date('2026-11-02T02:00:00Z'); // 10:00 in Shanghai
const openid = { type: 'openid' as const, scope: 'default', value: 'oWorkedExample' };

/** The worked example of ../shared/DOMAIN.md, as the follower lives it: minutes apart on day 0, then reads on later days. */
function workedExample(): (InboundEvent & { points: number })[] {
  const at = (days: number, minutes: number) => new Date(start.getTime() + days * day + minutes * 60_000);
  const event = (
    key: string,
    type: string,
    when: Date,
    properties: Record<string, unknown>,
    points: number,
    channel = 'wechat',
  ) => ({
    key,
    type,
    channel,
    occurredAt: when,
    identities: [openid],
    properties,
    points,
  });
  const events = [
    event('follow', 'subscribe', at(0, 0), { account: 'default' }, 0),
    event('entry', 'page_view', at(0, 0), { url: 'https://brand.example/' }, 10, 'website'),
    event('entry-again', 'page_view', at(0, 1), { url: 'https://brand.example/about' }, 0, 'website'),
    event('scan', 'qr_scan', at(0, 2), { scene: 'store-1' }, 8),
    event('fav-1', 'article_favorite', at(0, 3), { articleId: 'a1' }, 8),
    event('fav-1-again', 'article_favorite', at(0, 4), { articleId: 'a1' }, 0),
    event('fav-2', 'article_favorite', at(0, 5), { articleId: 'a2' }, 8),
  ];
  // Reads: three count on each day, the fourth of a day doesn't.
  for (const [days, reads] of [
    [0, 4],
    [1, 3],
    [2, 3],
  ] as const) {
    for (let n = 0; n < reads; n += 1)
      events.push(
        event(
          `read-${days}-${n}`,
          'article_view',
          at(days, 10 + n),
          { articleId: `r${days}${n}`, topic: 'sports' },
          n < 3 ? 7 : 0,
        ),
      );
  }
  return events.map(({ identities, ...rest }) => ({
    ...rest,
    identities: identities.map((identity) => ({ ...identity })),
  }));
}

describe('scoring and rule tags', () => {
  let app: TestApp;
  let now = start;

  beforeEach(async () => {
    now = start;
    app = await startTestApp({ rules: defaultRules }, undefined, { clock: () => now });
  });

  afterEach(async () => {
    await app.stop();
  });

  async function profileOf(value: string): Promise<number> {
    const response = await app.request(`/api/profiles?identity=openid:default:${value}`);
    const { profiles } = (await response.json()) as { profiles: { id: number }[] };
    return profiles[0].id;
  }

  async function scoreOf(profileId: number): Promise<number> {
    const rows = await app.persona.db.select<{ points: number; updated_at: unknown }>(
      'SELECT points, updated_at FROM scores WHERE profile_id = ?',
      [profileId],
    );
    return rows.reduce(
      (sum, row) => sum + Number(row.points) * decayFactor(app.persona.db.parseTime(row.updated_at) ?? now, now, 90),
      0,
    );
  }

  async function tagsOf(profileId: number): Promise<{ name: string; source: string }[]> {
    return app.persona.db.select('SELECT name, source FROM tags WHERE profile_id = ? ORDER BY name', [profileId]);
  }

  it('reproduces the worked example: exactly the points the rules give, faded by age, and loyal the moment the total reaches 90', async () => {
    const events = workedExample();
    let expected = 0;
    let loyalAt: string | null = null;
    let profileId = 0;
    for (const { points: _points, ...event } of events) {
      now = event.occurredAt;
      await app.persona.accept('test', [event]);
      await app.persona.worker.drain();
      profileId ||= await profileOf(openid.value);
      // Everything earned so far, faded from when it was earned to now.
      expected = events
        .slice(0, events.findIndex((candidate) => candidate.key === event.key) + 1)
        .reduce((sum, earlier) => sum + earlier.points * decayFactor(earlier.occurredAt, now, 90), 0);
      expect(await scoreOf(profileId)).toBeCloseTo(expected, 9);
      const loyal = (await tagsOf(profileId)).find((tag) => tag.name === 'loyal');
      expect(Boolean(loyal)).toBe(expected >= 90);
      if (loyal && !loyalAt) loyalAt = event.key;
    }
    // 10 + 8 + 8 + 8 and nine reads of 7: 97 before fading; faded, the ninth read takes it over 90.
    expect(loyalAt).toBe('read-2-2');
    // Nine sports reads also make the follower interested in sports; 17 interactions in 30 days, moderately active.
    expect(await tagsOf(profileId)).toEqual([
      { name: 'activity/medium', source: 'rule:activity/medium' },
      { name: 'interest/sports', source: 'rule:interest/sports' },
      { name: 'lifecycle/new', source: 'rule:lifecycle/new' },
      { name: 'loyal', source: 'rule:loyal' },
    ]);
    const ledger = await app.persona.db.select<{ rule_id: string; points: number }>(
      'SELECT rule_id, points FROM score_ledger WHERE profile_id = ? ORDER BY id',
      [profileId],
    );
    expect(ledger.map((row) => row.rule_id)).toEqual([
      'website-entry',
      'qr-scan',
      'article-favorite',
      'article-favorite',
      ...Array<string>(9).fill('article-read'),
    ]);

    // explain accounts for every point: per rule, as given and as it counts now; the groups sum to the score.
    const explained = (await (await app.request(`/api/profiles/${profileId}/explain`)).json()) as {
      score: {
        total: number;
        groups: {
          group: string;
          points: number;
          rules: { rule: string; events: number; points: number; faded: number }[];
        }[];
      };
      tags: {
        name: string;
        source: string;
        rule?: { when: string; holds: boolean; terms: { term: string; holds: boolean; fact: unknown }[] };
      }[];
    };
    expect(explained.score.groups.map((group) => group.group)).toEqual(['engagement']);
    const [engagement] = explained.score.groups;
    expect(Object.fromEntries(engagement.rules.map((rule) => [rule.rule, [rule.events, rule.points]]))).toEqual({
      'article-read': [9, 63],
      'website-entry': [1, 10],
      'qr-scan': [1, 8],
      'article-favorite': [2, 16],
    });
    expect(engagement.rules.reduce((sum, rule) => sum + rule.faded, 0)).toBeCloseTo(engagement.points, 5);
    expect(explained.score.total).toBeCloseTo(expected, 5);
    const loyalWhy = explained.tags.find((tag) => tag.name === 'loyal')?.rule;
    expect(loyalWhy).toEqual({
      when: 'score >= 90',
      holds: true,
      terms: [{ term: 'score >= 90', holds: true, fact: expect.closeTo(expected, 5) as number }],
    });
    expect(explained.tags.find((tag) => tag.name === 'lifecycle/new')?.rule?.terms).toEqual([
      { term: 'event:subscribe in 7d', holds: true, fact: 1 },
    ]);

    const timeline = await app.request(`/api/profiles/${profileId}/timeline?limit=5`);
    const { events: recent } = (await timeline.json()) as {
      events: { type: string; properties: Record<string, unknown> }[];
    };
    // Newest first: the read, then the crossing it caused, then the tag that followed.
    expect(recent.slice(0, 3).map((event) => event.type)).toEqual(['tag_added', 'score_crossed', 'article_view']);
    expect(recent[0].properties).toEqual({ tag: 'loyal', category: 'value', source: 'rule:loyal' });
    expect(recent[1].properties).toMatchObject({ score: 'total', threshold: 90, direction: 'up' });
  });

  it('moves a follower who falls silent from active to dormant to churned as the schedule runs, back to active on a new interaction, and takes loyal away when the score fades under 90', async () => {
    const lifecycle = async (profileId: number) =>
      (await tagsOf(profileId)).filter((tag) => tag.name.startsWith('lifecycle/')).map((tag) => tag.name);
    for (const { points: _points, ...event } of workedExample()) {
      now = event.occurredAt;
      await app.persona.accept('test', [event]);
      await app.persona.worker.drain();
    }
    const profileId = await profileOf(openid.value);
    expect(await lifecycle(profileId)).toEqual(['lifecycle/new']);
    expect((await tagsOf(profileId)).map((tag) => tag.name)).toContain('loyal');
    const recompute = async (days: number) => {
      now = new Date(start.getTime() + days * day);
      return app.persona.rulesModule.recompute.run(now, app.persona.log);
    };

    // Three weeks on: no longer new, still active (seen within 30 days); the score has faded under 90, so loyal goes.
    const first = await recompute(20);
    expect(await lifecycle(profileId)).toEqual(['lifecycle/active']);
    expect((await tagsOf(profileId)).map((tag) => tag.name)).not.toContain('loyal');
    expect(await scoreOf(profileId)).toBeLessThan(90);
    expect(first).toMatchObject({ profilesFaded: 1, crossings: 1, tagCandidates: 1, tagsUpdated: 1 });
    // Run again at the same moment: nothing left to do, nothing recorded twice.
    const eventsBefore = await app.persona.db.select('SELECT id FROM events WHERE profile_id = ?', [profileId]);
    expect(await recompute(20)).toMatchObject({ crossings: 0, tagCandidates: 0, tagsUpdated: 0 });
    expect(await app.persona.db.select('SELECT id FROM events WHERE profile_id = ?', [profileId])).toEqual(
      eventsBefore,
    );

    await recompute(45);
    expect(await lifecycle(profileId)).toEqual(['lifecycle/dormant']);
    await recompute(100);
    expect(await lifecycle(profileId)).toEqual(['lifecycle/churned']);

    // Back: a new read moves the stage at once, in the event's own transaction.
    now = new Date(start.getTime() + 101 * day);
    await app.persona.accept('test', [
      {
        key: 'back',
        type: 'article_view',
        channel: 'wechat',
        occurredAt: now,
        identities: [openid],
        properties: { articleId: 'b1' },
      },
    ]);
    await app.persona.worker.drain();
    expect(await lifecycle(profileId)).toEqual(['lifecycle/active']);

    const timeline = await app.persona.db.select<{ type: string; properties: string }>(
      "SELECT type, properties FROM events WHERE profile_id = ? AND type IN ('tag_added', 'tag_removed', 'score_crossed') ORDER BY id",
      [profileId],
    );
    // Activity levels (they follow the same 30 days) are left to the computed tags' own test.
    const changes = timeline
      .map((row) => {
        const properties = JSON.parse(row.properties) as { tag?: string; direction?: string };
        return `${row.type} ${properties.tag ?? properties.direction}`;
      })
      .filter((change) => !change.includes(' activity/'));
    expect(changes).toEqual([
      'tag_added lifecycle/new',
      'tag_added interest/sports',
      'score_crossed up',
      'tag_added loyal',
      'score_crossed down',
      'tag_removed lifecycle/new',
      'tag_added lifecycle/active',
      'tag_removed loyal',
      'tag_removed lifecycle/active',
      'tag_added lifecycle/dormant',
      'tag_removed interest/sports',
      'tag_removed lifecycle/dormant',
      'tag_added lifecycle/churned',
      'tag_removed lifecycle/churned',
      'tag_added lifecycle/active',
    ]);
    // Each move between stages is one lifecycle_changed event (and webhook): what a welcome-back push listens for.
    const moves = await app.persona.db.select<{ properties: string }>(
      "SELECT properties FROM events WHERE profile_id = ? AND type = 'lifecycle_changed' ORDER BY id",
      [profileId],
    );
    expect(moves.map((row) => JSON.parse(row.properties) as unknown)).toEqual([
      { from: null, to: 'new' },
      { from: 'new', to: 'active' },
      { from: 'active', to: 'dormant' },
      { from: 'dormant', to: 'churned' },
      { from: 'churned', to: 'active' },
    ]);
  });

  it('sums the scores of two profiles when they merge, and splits them again when they are unmerged', async () => {
    const email = { type: 'email' as const, scope: '', value: 'fan@example.com' };
    const phone = { type: 'phone' as const, scope: '', value: '+8613800138000' };
    await app.persona.accept('test', [
      { key: 'web', type: 'page_view', channel: 'website', occurredAt: now, identities: [email], properties: {} },
      {
        key: 'scan',
        type: 'qr_scan',
        channel: 'wechat',
        occurredAt: now,
        identities: [phone],
        properties: { scene: 'store-1' },
      },
    ]);
    await app.persona.worker.drain();
    const byEmail = async () =>
      (
        (await (await app.request('/api/profiles?identity=email:fan@example.com')).json()) as {
          profiles: { id: number }[];
        }
      ).profiles[0].id;
    const first = await byEmail();
    // Both identities on one form: the two profiles are one person.
    await app.persona.accept('test', [
      {
        key: 'form',
        type: 'form_submit',
        channel: 'website',
        occurredAt: now,
        identities: [email, phone],
        properties: {},
      },
    ]);
    await app.persona.worker.drain();
    expect(await scoreOf(first)).toBeCloseTo(18, 9);
    const merged = await app.persona.db.select<{ id: number; absorbed_id: number }>(
      'SELECT id, absorbed_id FROM merges',
    );
    expect(merged).toHaveLength(1);
    expect((await app.request(`/api/profiles/${merged[0].absorbed_id}/unmerge`, { method: 'POST' })).status).toBe(200);
    expect(await scoreOf(first)).toBeCloseTo(10, 9);
    expect(await scoreOf(Number(merged[0].absorbed_id))).toBeCloseTo(8, 9);
  });

  it('gives the same ledger and score whatever order the events arrive in, one at a time or all in one transaction, and counts an event processed twice once', async () => {
    const events = workedExample();
    const reversed = events
      .map(({ points: _points, ...event }) => ({
        ...event,
        key: `rev-${event.key}`,
        identities: [{ ...openid, value: 'oReversed' }],
      }))
      .reverse();
    now = new Date(start.getTime() + 3 * day);
    const { persona } = app;
    // In order, each event in its own transaction; reversed, all in one (caps filled and displaced within the group).
    await persona.accept(
      'test',
      events.map(({ points: _points, ...event }) => event),
    );
    await new InboxWorker(
      persona.inbox,
      persona.pipeline,
      { ...persona.config.ingest.worker, entriesPerTransaction: 1 },
      persona.log,
      persona.metrics,
    ).drain();
    await persona.accept('test', reversed);
    await new InboxWorker(
      persona.inbox,
      persona.pipeline,
      { ...persona.config.ingest.worker, batchSize: 100, entriesPerTransaction: 100 },
      persona.log,
      persona.metrics,
    ).drain();
    // The same events again: the inbox sees new rows, the timeline knows their keys.
    await app.persona.accept(
      'test',
      events.map(({ points: _points, ...event }) => event),
    );
    await app.persona.worker.drain();

    const inOrder = await profileOf(openid.value);
    const outOfOrder = await profileOf('oReversed');
    const ledgerOf = (profileId: number) =>
      app.persona.db.select<{ rule_id: string; source_key: string }>(
        `SELECT l.rule_id, e.source_key FROM score_ledger l JOIN events e ON e.id = l.event_id WHERE l.profile_id = ? ORDER BY e.source_key, l.rule_id`,
        [profileId],
      );
    const forward = await ledgerOf(inOrder);
    const backward = (await ledgerOf(outOfOrder)).map((row) => ({
      ...row,
      source_key: row.source_key.replace('rev-', ''),
    }));
    expect(backward).toEqual(forward);
    expect(forward).toHaveLength(13);
    expect(await scoreOf(outOfOrder)).toBeCloseTo(await scoreOf(inOrder), 9);
  });
});
