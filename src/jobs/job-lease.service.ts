import type { Database } from '../db/database';
import { ConflictError } from '../errors/app.errors';
import type { Clock } from '../util/clock';

export type BeginOutcome = 'run' | 'held-elsewhere' | 'already-ran';

/**
 * Makes each tick of a job run once across every instance sharing the database:
 * a lease row per job (expiring, so a crashed holder can't block it forever; held for the length of a run, so runs
 * don't overlap) and a run row unique per (job, tick).
 */
export class JobLeaseService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async ensure(name: string): Promise<void> {
    await this.db.execute(
      `${this.db.insertIgnoreInto} job_leases (name, holder, locked_until) VALUES (?, NULL, NULL)`,
      [name],
    );
  }

  async begin(name: string, tick: Date, holder: string, leaseMs: number): Promise<BeginOutcome> {
    const now = this.clock();
    const acquired = await this.db.execute(
      `UPDATE job_leases SET holder = :holder, locked_until = :until
        WHERE name = :name AND (holder IS NULL OR locked_until < :now)`,
      { name, holder, until: new Date(now.getTime() + leaseMs), now },
    );
    if (acquired === 0) return 'held-elsewhere';
    // Whoever held the lease before us is gone: a run it left open will never finish.
    await this.db.execute(
      "UPDATE job_runs SET status = 'abandoned', finished_at = :now WHERE name = :name AND status = 'running'",
      { name, now },
    );
    try {
      await this.db.execute(
        "INSERT INTO job_runs (name, tick, holder, status, started_at) VALUES (:name, :tick, :holder, 'running', :now)",
        { name, tick, holder, now },
      );
    } catch (error) {
      await this.release(name, holder);
      if (error instanceof ConflictError) return 'already-ran';
      throw error;
    }
    return 'run';
  }

  /** Extends a running job's lease; false if it was lost (another instance took over after expiry). */
  async renew(name: string, holder: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    const renewed = await this.db.execute(
      'UPDATE job_leases SET locked_until = :until WHERE name = :name AND holder = :holder',
      { name, holder, until: new Date(now.getTime() + leaseMs) },
    );
    return renewed === 1;
  }

  async finish(name: string, tick: Date, holder: string, error: string | null): Promise<void> {
    const now = this.clock();
    await this.db.execute(
      'UPDATE job_runs SET status = :status, finished_at = :now, error = :error WHERE name = :name AND tick = :tick AND holder = :holder',
      { name, tick, holder, now, status: error ? 'failed' : 'succeeded', error: error?.slice(0, 2000) ?? null },
    );
    await this.release(name, holder);
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.execute(
      'UPDATE job_leases SET holder = NULL, locked_until = NULL WHERE name = :name AND holder = :holder',
      { name, holder },
    );
  }

  async purgeHistory(olderThan: Date): Promise<number> {
    return this.db.execute("DELETE FROM job_runs WHERE started_at < :olderThan AND status <> 'running'", { olderThan });
  }
}
