import { botOperators, command } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

type Row = Record<string, unknown>;

describe('list endpoints page with limit and a before cursor', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  // Wednesday noon in Shanghai.
  let now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    now = new Date('2026-11-25T04:00:00Z');
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: pushSettings(),
        bot: { operators: botOperators },
      },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const get = async (path: string) => {
    const response = await app.request(path);
    return {
      status: response.status,
      body: (await response.json()) as Row & { nextCursor?: string | null; error?: { message: string } },
    };
  };

  /**
   * Every page of `path` (with its own query) in pages of 2, following nextCursor; `between` runs after the first
   * page, to write rows while someone is paging.
   */
  async function pageThrough(
    path: string,
    field: string,
    between: () => Promise<void> = async () => undefined,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const { status, body } = await get(
        `${path}${separator}limit=2${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      const page = body[field] as Row[];
      expect(page.length).toBeLessThanOrEqual(2);
      // Only the last page may say there is nothing more, and only a full page may point on.
      if (body.nextCursor !== null) expect(page).toHaveLength(2);
      rows.push(...page);
      cursor = body.nextCursor;
      pages += 1;
      if (pages === 1) await between();
      expect(pages).toBeLessThan(50);
    } while (cursor !== null);
    return rows;
  }

  /** A bad limit and a cursor this API didn't give out (or another list's) are 400s naming the field. */
  async function refusesBadInput(path: string, otherListsCursor: string) {
    const separator = path.includes('?') ? '&' : '?';
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'limit=2.5']) {
      const { status, body } = await get(`${path}${separator}${query}`);
      expect({ query, status, message: body.error?.message }).toEqual({
        query,
        status: 400,
        message: 'limit: expected a whole number from 1 to 500',
      });
    }
    for (const before of [
      'garbage',
      '',
      Buffer.from('["pushes",0]').toString('base64url'),
      Buffer.from('{"id":1}').toString('base64url'),
      otherListsCursor,
    ]) {
      const { status, body } = await get(`${path}${separator}before=${encodeURIComponent(before)}`);
      expect({ before, status, message: body.error?.message }).toEqual({
        before,
        status: 400,
        message: 'before: not a cursor this API gave out (pass the nextCursor of the previous page)',
      });
    }
  }

  const plan = async (name: string, sendAt?: string) => {
    const response = await app.request('/api/pushes', {
      method: 'POST',
      json: {
        name,
        expression: 'tag:digest',
        content: { message: { type: 'text', text: name } },
        ...(sendAt ? { sendAt } : {}),
      },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: number }).id;
  };

  /** A cursor of a list other than the one asked: never valid elsewhere. */
  const foreignCursor = Buffer.from('["timeline",1764043200000,1]').toString('base64url');

  it('pages pushes newest first, with and without a status, and rows written meanwhile neither repeat nor skip one', async () => {
    // Someone to send to: a push for no one is done as soon as it is confirmed.
    await record(app, 'oDigest', [
      { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 3_600_000), tags: { add: ['digest'] } },
    ]);
    const planned: number[] = [];
    for (const n of [1, 2, 3, 4]) planned.push(await plan(`planned ${n}`));
    const scheduled: number[] = [];
    for (const n of [1, 2, 3]) {
      const id = await plan(`scheduled ${n}`, '2026-11-28T10:00:00+08:00');
      expect((await app.request(`/api/pushes/${id}/confirm`, { method: 'POST' })).status).toBe(200);
      scheduled.push(id);
    }
    const all = [...planned, ...scheduled].sort((a, b) => b - a);
    let late = 0;
    const listed = await pageThrough('/api/pushes', 'pushes', async () => {
      late = await plan('planned while paging');
    });
    expect(listed.map((push) => push.id)).toEqual(all);
    expect(late).toBeGreaterThan(all[0]);

    expect((await pageThrough('/api/pushes?status=planned', 'pushes')).map((push) => push.id)).toEqual([
      late,
      ...[...planned].reverse(),
    ]);
    // Scheduled and sending are one stored status told apart by the send time: the filter pages them exactly.
    expect((await pageThrough('/api/pushes?status=scheduled', 'pushes')).map((push) => [push.id, push.status])).toEqual(
      [...scheduled].reverse().map((id) => [id, 'scheduled']),
    );
    expect(await pageThrough('/api/pushes?status=sending', 'pushes')).toEqual([]);
    now = new Date('2026-11-28T02:00:01Z');
    expect(await pageThrough('/api/pushes?status=scheduled', 'pushes')).toEqual([]);
    expect((await pageThrough('/api/pushes?status=sending', 'pushes')).map((push) => push.id)).toEqual(
      [...scheduled].reverse(),
    );
    await refusesBadInput('/api/pushes?status=planned', foreignCursor);
    expect((await get('/api/pushes?status=lost')).status).toBe(400);
  });

  it('pages segments by name, each with its live count', async () => {
    await record(app, 'oDigest', [
      { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 3_600_000), tags: { add: ['digest'] } },
    ]);
    const names = ['b-fans', 'a-fans', '上海运动迷', 'C-fans', 'c-fans'];
    for (const name of names) {
      const expression = name === 'a-fans' ? 'tag:other' : 'tag:digest';
      expect((await app.request('/api/segments', { method: 'POST', json: { name, expression } })).status).toBe(201);
    }
    // Byte order on both databases: capitals before lower case, Chinese last.
    const sorted = ['C-fans', 'a-fans', 'b-fans', 'c-fans', '上海运动迷'];
    const listed = await pageThrough('/api/segments', 'segments', async () => {
      // Sorts before the cursor: not shown on a later page, and nothing shown moves.
      expect(
        (await app.request('/api/segments', { method: 'POST', json: { name: '0-late', expression: 'tag:digest' } }))
          .status,
      ).toBe(201);
    });
    expect(listed.map((segment) => [segment.name, segment.count])).toEqual(
      sorted.map((name) => [name, name === 'a-fans' ? 0 : 1]),
    );
    expect((await get('/api/segments?limit=50')).body.segments).toHaveLength(6);
    await refusesBadInput('/api/segments', foreignCursor);
  });

  it('pages merges newest first within a status', async () => {
    for (const [index, status] of [
      'suggested',
      'merged',
      'suggested',
      'suggested',
      'merged',
      'suggested',
      'rejected',
    ].entries()) {
      await app.persona.db.execute(
        "INSERT INTO merges (survivor_id, absorbed_id, status, evidence, cause, created_at) VALUES (?, ?, ?, '[]', 'email', ?)",
        [100 + index, 200 + index, status, now],
      );
    }
    const ids = async (status: string) =>
      (
        await app.persona.db.select<{ id: number }>('SELECT id FROM merges WHERE status = ? ORDER BY id DESC', [status])
      ).map((row) => Number(row.id));
    const suggested = await ids('suggested');
    expect((await pageThrough('/api/merges', 'merges')).map((merge) => merge.id)).toEqual(suggested);
    expect((await pageThrough('/api/merges?status=merged', 'merges')).map((merge) => merge.id)).toEqual(
      await ids('merged'),
    );
    await refusesBadInput('/api/merges?status=merged', foreignCursor);
  });

  it('pages webhook deliveries newest first with their filters', async () => {
    const statuses = ['failed', 'delivered', 'failed', 'pending', 'failed', 'failed', 'failed'];
    for (const [index, status] of statuses.entries()) {
      await app.persona.db.execute(
        "INSERT INTO webhook_deliveries (subscriber, event_id, event_name, profile_id, payload, status, attempts, available_at, created_at) VALUES (?, ?, 'profile.tag_added', 1, '{}', ?, 1, ?, ?)",
        [index % 3 === 0 ? 'crm-a' : 'crm-b', `event-${index}`, status, now, now],
      );
    }
    const ids = (await app.persona.db.select<{ id: number }>('SELECT id FROM webhook_deliveries ORDER BY id DESC')).map(
      (row) => Number(row.id),
    );
    const listed = await pageThrough('/api/webhooks/deliveries', 'deliveries', async () => {
      await app.persona.db.execute(
        "INSERT INTO webhook_deliveries (subscriber, event_id, event_name, profile_id, payload, status, attempts, available_at, created_at) VALUES ('crm-a', 'late', 'profile.tag_added', 1, '{}', 'failed', 1, ?, ?)",
        [now, now],
      );
    });
    expect(listed.map((delivery) => delivery.id)).toEqual(ids);
    const failedB = await pageThrough('/api/webhooks/deliveries?status=failed&subscriber=crm-b', 'deliveries');
    expect(failedB.map((delivery) => [delivery.subscriber, delivery.status, delivery.eventId])).toEqual([
      ['crm-b', 'failed', 'event-5'],
      ['crm-b', 'failed', 'event-4'],
      ['crm-b', 'failed', 'event-2'],
    ]);
    await refusesBadInput('/api/webhooks/deliveries?status=failed', foreignCursor);
  });

  it('pages the bot audit trail newest first', async () => {
    const texts = ['/help', '/pushes', '/segment list', '/status', '/help'];
    for (const text of texts) expect((await command(app, 'wxid_viewer', text)).status).toBe(200);
    const listed = await pageThrough('/api/bot/audit', 'entries', async () => {
      await command(app, 'wxid_viewer', '/tags');
    });
    expect(listed.map((entry) => entry.text)).toEqual([...texts].reverse());
    expect((await get('/api/bot/audit?limit=1')).body.entries).toEqual([
      expect.objectContaining({ text: '/tags', sender: 'wxid_viewer' }),
    ]);
    await refusesBadInput('/api/bot/audit', foreignCursor);
  });
});
