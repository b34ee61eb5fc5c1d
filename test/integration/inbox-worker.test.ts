import { InboxWorker } from '../../src/ingest/inbox.worker';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const event = (id: string, email: string) => ({ id, type: 'page_view', identities: { email } });
/** Row locks exist on MySQL only: SQLite's one writer never finds a profile held by another transaction. */
const withRowLocks = (process.env.TEST_DATABASE_URL ?? '').startsWith('mysql') ? it : it.skip;

describe('inbox worker', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ ingest: { worker: { maxAttempts: 3, retryBaseMs: 10 } } });
  });

  afterEach(async () => {
    await app.stop();
  });

  /** Holds a profile's row lock in a transaction of its own until released, as an operator's edit or another worker would. */
  async function holdProfile(profileId: number): Promise<{ release(): Promise<void> }> {
    const { db } = app.persona;
    let release = () => {};
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const done = db.transaction(async (transaction) => {
      await db.select(`SELECT id FROM profiles WHERE id = ?${db.forUpdate}`, [profileId], transaction);
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    return {
      release: async () => {
        release();
        await done;
      },
    };
  }

  async function inboxRows() {
    return app.persona.db.select<{ status: string; attempts: number; last_error: string | null }>(
      'SELECT status, attempts, last_error FROM inbox ORDER BY id',
    );
  }

  it('retries a failing entry with backoff, then parks it as failed, without half-writing', async () => {
    let failures = 0;
    app.persona.pipeline.use(async () => {
      failures += 1;
      throw new Error('rule engine exploded');
    });
    await app.request('/api/events', { method: 'POST', json: event('e-fail', 'fail@example.com') });

    expect(await app.persona.worker.runOnce()).toBe(1);
    expect(await inboxRows()).toEqual([{ status: 'pending', attempts: 1, last_error: 'rule engine exploded' }]);
    // Not due yet: the backoff holds it back.
    await app.persona.db.execute("UPDATE inbox SET available_at = ? WHERE status = 'pending'", [
      new Date(Date.now() - 1),
    ]);
    await app.persona.worker.runOnce();
    await app.persona.db.execute("UPDATE inbox SET available_at = ? WHERE status = 'pending'", [
      new Date(Date.now() - 1),
    ]);
    await app.persona.worker.runOnce();
    expect(failures).toBe(3);
    expect(await inboxRows()).toEqual([{ status: 'failed', attempts: 3, last_error: 'rule engine exploded' }]);
    expect(await app.persona.worker.runOnce()).toBe(0);

    // The stage's transaction rolled back every time: no profile, no event.
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    const [{ p }] = await app.persona.db.select<{ p: number }>('SELECT COUNT(*) AS p FROM profiles');
    expect([Number(n), Number(p)]).toEqual([0, 0]);
  });

  it('gives a crashed worker’s claimed rows to another worker once the lease has run out', async () => {
    await app.request('/api/events', { method: 'POST', json: event('e-lease', 'lease@example.com') });
    const claimed = await app.persona.inbox.claim('crashed-worker', 10, 60_000);
    expect(claimed).toHaveLength(1);
    expect(await app.persona.worker.runOnce()).toBe(0); // still leased
    await app.persona.db.execute("UPDATE inbox SET locked_until = ? WHERE locked_by = 'crashed-worker'", [
      new Date(Date.now() - 1),
    ]);
    expect(await app.persona.worker.runOnce()).toBe(1);
    expect((await inboxRows())[0].status).toBe('done');
  });

  it('lets two workers race on the same new identity and still makes one profile', async () => {
    const events = Array.from({ length: 20 }, (_, index) => event(`race-${index}`, 'race@example.com'));
    await app.request('/api/events', { method: 'POST', json: { events } });
    const { persona } = app;
    const options = { ...persona.config.ingest.worker, batchSize: 1, entriesPerTransaction: 1 };
    const worker = () => new InboxWorker(persona.inbox, persona.pipeline, options, persona.log, persona.metrics);
    const [a, b] = await Promise.all([worker().drain(), worker().drain()]);
    expect(a + b).toBe(20);
    const [{ p }] = await app.persona.db.select<{ p: number }>('SELECT COUNT(*) AS p FROM profiles');
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect([Number(p), Number(n)]).toEqual([1, 20]);
  });

  it('commits a group together, and when one entry of it fails, still lands the others and parks only that one', async () => {
    const { persona } = app;
    const seen: string[] = [];
    app.persona.pipeline.use(async (events) => {
      for (const event of events) {
        seen.push(event.sourceKey);
        if (event.properties.poison) throw new Error('this one never works');
      }
    });
    const events = Array.from({ length: 6 }, (_, index) => ({
      ...event(`group-${index}`, `group${index}@example.com`),
      properties: { poison: index === 3 },
    }));
    await app.request('/api/events', { method: 'POST', json: { events } });
    const worker = new InboxWorker(
      persona.inbox,
      persona.pipeline,
      { ...persona.config.ingest.worker, entriesPerTransaction: 6, maxAttempts: 1 },
      persona.log,
      persona.metrics,
    );
    expect(await worker.drain()).toBe(6);
    expect((await inboxRows()).map((row) => row.status)).toEqual(['done', 'done', 'done', 'failed', 'done', 'done']);
    const [{ n }] = await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
    expect(Number(n)).toBe(5);
    // The first entry ran in the group that failed and again alone, yet is on the timeline once: the group rolled back.
    expect(seen.filter((key) => key.endsWith(':group-0'))).toHaveLength(2);
  });

  it('drains on its own when started, woken by the write', async () => {
    app.persona.worker.start();
    await app.request('/api/events', { method: 'POST', json: event('e-live', 'live@example.com') });
    await waitFor(async () => (await inboxRows())[0]?.status === 'done', 60_000, 'the worker to process the event');
    expect(await inboxRows()).toEqual([{ status: 'done', attempts: 0, last_error: null }]);
  });

  withRowLocks(
    'leaves the events of a profile another transaction holds for a later claim, and lands the rest of the group',
    async () => {
      const { persona } = app;
      await app.request('/api/events', { method: 'POST', json: event('busy-0', 'busy@example.com') });
      await persona.worker.drain();
      const [{ id: busyId }] = await persona.db.select<{ id: number }>(
        "SELECT profile_id AS id FROM identities WHERE value = 'busy@example.com'",
      );

      // Another transaction (an operator's edit, another worker) holds the profile while a group arrives.
      const hold = await holdProfile(busyId);
      const events = [
        event('busy-1', 'busy@example.com'),
        event('free-1', 'free1@example.com'),
        event('busy-2', 'busy@example.com'),
        event('free-2', 'free2@example.com'),
      ];
      await app.request('/api/events', { method: 'POST', json: { events } });
      const worker = new InboxWorker(
        persona.inbox,
        persona.pipeline,
        { ...persona.config.ingest.worker, batchSize: 4, entriesPerTransaction: 4 },
        persona.log,
        persona.metrics,
      );
      try {
        expect(await worker.runOnce()).toBe(4);
        const statuses = await persona.db.select<{ source_key: string; status: string }>(
          'SELECT source_key, status FROM inbox ORDER BY id',
        );
        expect(Object.fromEntries(statuses.map((row) => [row.source_key.split(':')[1], row.status]))).toEqual({
          'busy-0': 'done',
          'busy-1': 'pending',
          'free-1': 'done',
          'busy-2': 'pending',
          'free-2': 'done',
        });
      } finally {
        // Once the profile is free, the deferred events land on it, once each.
        await hold.release();
      }
      expect(await worker.drain()).toBe(2);
      const timeline = await persona.db.select<{ source_key: string }>(
        'SELECT source_key FROM events WHERE profile_id = ? ORDER BY id',
        [busyId],
      );
      expect(timeline.map((row) => row.source_key.split(':')[1])).toEqual(['busy-0', 'busy-1', 'busy-2']);
    },
  );

  withRowLocks('waits for a busy profile when every event of the group is for it', async () => {
    const { persona } = app;
    await app.request('/api/events', { method: 'POST', json: event('solo-0', 'solo@example.com') });
    await persona.worker.drain();
    const [{ id }] = await persona.db.select<{ id: number }>(
      "SELECT profile_id AS id FROM identities WHERE value = 'solo@example.com'",
    );
    const hold = await holdProfile(id);
    await app.request('/api/events', {
      method: 'POST',
      json: { events: [event('solo-1', 'solo@example.com'), event('solo-2', 'solo@example.com')] },
    });
    const worker = new InboxWorker(
      persona.inbox,
      persona.pipeline,
      { ...persona.config.ingest.worker, batchSize: 2, entriesPerTransaction: 2 },
      persona.log,
      persona.metrics,
    );
    const round = worker.runOnce();
    try {
      // The group is queued behind the hold (the server shows its locking read waiting), not deferred.
      await waitFor(
        async () => {
          const [{ n }] = await persona.db.select<{ n: number }>(
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE 'SELECT id, merged_into, erased_at FROM profiles%FOR UPDATE'",
          );
          return Number(n) > 0;
        },
        60_000,
        'the worker to wait for the profile lock',
      );
    } finally {
      await hold.release();
    }
    expect(await round).toBe(2);
    const rows = await persona.db.select<{ status: string }>('SELECT status FROM inbox ORDER BY id');
    expect(rows.map((row) => row.status)).toEqual(['done', 'done', 'done']);
  });
});
