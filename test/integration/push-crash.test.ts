import { Database } from '../../src/db/database';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { operatorOpenid, record, wechatApiPlugin } from '../support/push-fixtures';
import { spawnServer, writeConfig } from '../support/server-process';
import { startTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { killTrackedProcesses, processTimeoutMs } from '../support/test-processes';
import { waitFor } from '../support/wait-for';

const hour = 3_600_000;

// Room for each process wait (four) to run to its ceiling in turn, and for the seeding: a wait that fails then says
// what it waited for, where a jest timeout would not.
jest.setTimeout(5 * processTimeoutMs);

/** A push survives its instance being killed mid-delivery: every recipient gets it once. */
describe('push delivery across a crash', () => {
  let database: TestDatabase;
  let fake: FakeWechatApi;

  beforeEach(async () => {
    database = await createTestDatabase();
    fake = await FakeWechatApi.start();
  });

  afterEach(async () => {
    // A test that failed before stopping its servers must not leave them on the database being dropped.
    await killTrackedProcesses();
    await fake.close();
    await database.drop();
  });

  const policy = { quietHours: { start: '00:00', end: '00:00' } };

  it('SIGKILL mid-delivery, then restart: no recipient lost, none sent twice, the interrupted mass batch not repeated', async () => {
    // Seed 30 followers (10 chatting: customer-service messages; 20 mass) and confirm a push, without sending.
    const seeding = await startTestApp(
      { plugins: { 'wechat-official-account': wechatApiPlugin(fake) }, pushes: { policy, worker: { enabled: false } } },
      database,
    );
    const followers = Array.from({ length: 30 }, (_, index) => `oCrash${String(index).padStart(2, '0')}`);
    let pushId: number;
    try {
      const now = Date.now();
      // The first ten (the first claim) chat: their customer-service messages are all out before the mass sends
      // begin, so the kill lands in a mass send. (A one-recipient send cut off between being marked and leaving is
      // recorded as sent, unconfirmed, and not repeated: push-faults.test.ts covers that case deterministically.)
      for (const [index, follower] of followers.entries()) {
        await record(seeding, follower, [
          { key: 'follow', type: 'subscribe', at: new Date(now - 100 * hour), tags: { add: ['campaign/crash'] } },
        ]);
        if (index < 10)
          await record(seeding, follower, [
            { key: 'hi', type: 'message', at: new Date(now - hour), properties: { subtype: 'text', content: 'hi' } },
          ]);
      }
      const planned = (await (
        await seeding.request('/api/pushes', {
          method: 'POST',
          json: { expression: 'tag:campaign/crash', content: { message: { type: 'text', text: '限时优惠' } } },
        })
      ).json()) as {
        id: number;
        plan: { channels: Record<string, number> };
      };
      expect(planned.plan.channels).toMatchObject({ customer_service: 10, mass: 20 });
      pushId = planned.id;
      expect((await seeding.request(`/api/pushes/${pushId}/confirm`, { method: 'POST' })).status).toBe(200);
    } finally {
      await seeding.persona.stop();
    }

    const config = writeConfig({
      server: { host: '127.0.0.1', port: 0 },
      database: { url: database.url },
      log: { level: 'info' },
      jobs: { enabled: false },
      plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
      pushes: {
        policy,
        worker: { batchSize: 10, leaseMs: 1000, pollIntervalMs: 50, ratePerSecond: 200, concurrency: 4 },
      },
    });
    // Every answer takes a moment; the second mass send's answer never comes before the kill.
    fake.latencyMs = 20;
    fake.inject({ path: 'message/mass/send', delayMs: 1 });
    fake.inject({ path: 'message/mass/send', delayMs: 120_000 });
    const massRequests = () => fake.requests.filter((request) => request.path.endsWith('message/mass/send'));

    const first = await spawnServer({ configFile: config });
    try {
      await waitFor(async () => massRequests().length >= 2, processTimeoutMs, 'the second mass send to be in flight');
    } finally {
      first.child.kill('SIGKILL');
    }
    expect((await first.exited).signal).toBe('SIGKILL');
    const interrupted = (massRequests()[1].body as { clientmsgid: string }).clientmsgid;

    const db = new Database({ url: database.url });
    const second = await spawnServer({ configFile: config });
    try {
      await waitFor(
        async () => {
          const [push] = await db.select<{ status: string }>('SELECT status FROM pushes WHERE id = ?', [pushId]);
          return push?.status === 'done';
        },
        processTimeoutMs,
        'the restarted instance to finish the push',
      );
      const statuses = await db.select<{ status: string; n: number }>(
        'SELECT status, COUNT(*) AS n FROM push_deliveries WHERE push_id = ? GROUP BY status',
        [pushId],
      );
      expect(statuses.map((row) => [row.status, Number(row.n)])).toEqual([['sent', 30]]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      await db.close();
    }

    // Each follower received the push exactly once (the operator's copies of one-follower mass sends aside).
    const received = new Map<string, number>();
    for (const message of fake.customMessages) received.set(message.touser, (received.get(message.touser) ?? 0) + 1);
    for (const send of fake.massSends)
      for (const openid of new Set(send.touser)) received.set(openid, (received.get(openid) ?? 0) + 1);
    received.delete(operatorOpenid);
    expect(followers.filter((follower) => received.get(follower) !== 1)).toEqual([]);
    // The interrupted batch was sent again under its own clientmsgid, and WeChat took it once.
    expect(
      massRequests().filter((request) => (request.body as { clientmsgid: string }).clientmsgid === interrupted).length,
    ).toBeGreaterThanOrEqual(2);
    expect(fake.massSends.filter((send) => send.clientmsgid === interrupted)).toHaveLength(1);
    const keys = fake.massSends.map((send) => send.clientmsgid);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
