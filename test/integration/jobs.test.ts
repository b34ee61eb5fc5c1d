import { Database } from '../../src/db/database';
import { createMigrator } from '../../src/db/migrator';
import { JobLeaseService } from '../../src/jobs/job-lease.service';
import { JobScheduler } from '../../src/jobs/job-scheduler';
import type { JobDefinition } from '../../src/jobs/job.types';
import { createLogger } from '../../src/logging/logger';
import { Metrics } from '../../src/metrics/metrics';
import { systemClock } from '../../src/util/clock';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('job scheduler', () => {
  let database: TestDatabase;
  let db: Database;
  const log = createLogger({ level: 'silent' });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database({ url: database.url });
    await createMigrator(db).up();
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  const scheduler = (leaseMs = 60_000) =>
    new JobScheduler(
      new JobLeaseService(db, systemClock),
      { leaseMs, timezone: 'Asia/Shanghai' },
      log,
      new Metrics(),
      systemClock,
    );

  /** A job whose runs can be held open until the test releases them. */
  function gatedJob(name: string) {
    const runs: Date[] = [];
    let release: () => void = () => undefined;
    let gate = Promise.resolve();
    const job: JobDefinition = {
      name,
      schedule: '* * * * *',
      async run({ tick }) {
        runs.push(tick);
        await gate;
      },
    };
    return {
      job,
      runs,
      hold() {
        gate = new Promise((resolve) => {
          release = resolve;
        });
      },
      release: () => release(),
    };
  }

  it('runs a tick once across instances, however many fire it', async () => {
    const { job, runs } = gatedJob('once-per-tick');
    const a = scheduler();
    const b = scheduler();
    a.register(job);
    b.register(job);
    const tick = new Date('2026-11-22T10:00:00.000Z');
    const outcomes = await Promise.all([
      a.trigger(job.name, tick),
      b.trigger(job.name, tick),
      a.trigger(job.name, tick),
    ]);
    expect(outcomes.filter((outcome) => outcome === 'succeeded')).toHaveLength(1);
    expect(runs).toEqual([tick]);
    expect(await b.trigger(job.name, tick)).toBe('skipped');
    expect(await b.trigger(job.name, new Date('2026-11-22T10:01:00.000Z'))).toBe('succeeded');
    expect(runs).toHaveLength(2);
    const rows = await db.select<{ status: string }>("SELECT status FROM job_runs WHERE name = 'once-per-tick'");
    expect(rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('skips a tick while the previous run still goes, here or on another instance', async () => {
    const gated = gatedJob('overlap');
    const a = scheduler();
    const b = scheduler();
    a.register(gated.job);
    b.register(gated.job);
    gated.hold();
    const first = a.trigger(gated.job.name, new Date('2026-11-22T11:00:00.000Z'));
    while (gated.runs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await a.trigger(gated.job.name, new Date('2026-11-22T11:01:00.000Z'))).toBe('skipped');
    expect(await b.trigger(gated.job.name, new Date('2026-11-22T11:01:00.000Z'))).toBe('skipped');
    gated.release();
    expect(await first).toBe('succeeded');
    expect(await b.trigger(gated.job.name, new Date('2026-11-22T11:02:00.000Z'))).toBe('succeeded');
    expect(gated.runs).toHaveLength(2);
  });

  it('lets another instance take over when a holder died and its lease expired', async () => {
    const { job, runs } = gatedJob('crashed-holder');
    const leases = new JobLeaseService(db, systemClock);
    await leases.ensure(job.name);
    expect(await leases.begin(job.name, new Date('2026-11-22T12:00:00.000Z'), 'dead-instance', 1)).toBe('run');
    const survivor = scheduler();
    survivor.register(job);
    await db.execute("UPDATE job_leases SET locked_until = ? WHERE name = 'crashed-holder'", [
      new Date(Date.now() - 1000),
    ]);
    expect(await survivor.trigger(job.name, new Date('2026-11-22T12:01:00.000Z'))).toBe('succeeded');
    expect(runs).toHaveLength(1);
    const rows = await db.select<{ holder: string; status: string }>(
      "SELECT holder, status FROM job_runs WHERE name = 'crashed-holder' ORDER BY tick",
    );
    expect(rows).toEqual([
      { holder: 'dead-instance', status: 'abandoned' },
      { holder: survivor.holder, status: 'succeeded' },
    ]);
  });

  it('logs a failing run by name and keeps running the other jobs', async () => {
    const s = scheduler();
    let healthyRuns = 0;
    s.register({
      name: 'broken',
      schedule: '* * * * *',
      run: async () => {
        throw new Error('boom');
      },
    });
    s.register({
      name: 'healthy',
      schedule: '* * * * *',
      run: async () => {
        healthyRuns += 1;
      },
    });
    const tick = new Date('2026-11-22T13:00:00.000Z');
    expect(await s.trigger('broken', tick)).toBe('failed');
    expect(await s.trigger('healthy', tick)).toBe('succeeded');
    expect(healthyRuns).toBe(1);
    const [broken] = await db.select<{ status: string; error: string }>(
      "SELECT status, error FROM job_runs WHERE name = 'broken'",
    );
    expect(broken).toEqual({ status: 'failed', error: 'boom' });
    expect(await s.trigger('broken', new Date('2026-11-22T13:01:00.000Z'))).toBe('failed');
  });

  it('refuses a job with an invalid schedule or a duplicate name, naming it', () => {
    const s = scheduler();
    expect(() => s.register({ name: 'bad-cron', schedule: 'every day', run: async () => undefined })).toThrow(
      'job "bad-cron": invalid cron schedule "every day"',
    );
    s.register({ name: 'twice', schedule: '* * * * *', run: async () => undefined });
    expect(() => s.register({ name: 'twice', schedule: '* * * * *', run: async () => undefined })).toThrow(
      'already registered',
    );
  });
});
