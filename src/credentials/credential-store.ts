import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/database';
import type { NoticeBoard } from '../notices/notice-board';
import type { Clock } from '../util/clock';

/** A freshly fetched credential and when it stops working. */
export interface FetchedCredential {
  value: string;
  expiresAt: Date;
}

export interface CredentialStoreOptions {
  /** Fetch a new value this long before the stored one expires, in milliseconds. */
  refreshBeforeMs: number;
  /** How long one instance may take to fetch before another may try, in milliseconds. */
  leaseMs: number;
  /** How often an instance waiting for another's fetch looks again, in milliseconds. */
  waitPollMs: number;
}

interface CredentialRow {
  value: string | null;
  expires_at: unknown;
  lease_until: unknown;
}

const defaults: CredentialStoreOptions = { refreshBeforeMs: 5 * 60_000, leaseMs: 30_000, waitPollMs: 100 };

/**
 * Short-lived credentials (a WeChat access token) shared by every instance through the database. Whoever finds the
 * stored value missing or about to expire takes the row's lease and fetches; the others keep using the value while it
 * still works, or wait for the fetch. Each instance keeps the value in memory until it nears expiry, so a call costs
 * no query. Invalidation names the value that failed and only forgets that one: a token another instance has already
 * replaced is not thrown away (which would set off a refresh storm and revoke the good token).
 */
export class CredentialStore {
  private readonly owner = `credentials-${randomUUID().slice(0, 8)}`;
  private readonly cache = new Map<string, FetchedCredential>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly options: CredentialStoreOptions;

  constructor(
    private readonly db: Database,
    options: Partial<CredentialStoreOptions> = {},
    private readonly clock: Clock,
    private readonly notices?: NoticeBoard,
  ) {
    this.options = { ...defaults, ...options };
  }

  /** The current value of `name`, fetched with `fetch` (by one instance, under the lease) when needed. */
  get(name: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    const cached = this.cache.get(name);
    if (cached && this.fresh(cached)) return Promise.resolve(cached.value);
    // One lookup per process at a time: a burst of calls shares it.
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.resolve(name, fetch).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    return pending;
  }

  /** Forgets `failed` as the value of `name`, here and in the database, unless it has been replaced already. */
  async invalidate(name: string, failed: string): Promise<void> {
    if (this.cache.get(name)?.value === failed) this.cache.delete(name);
    await this.db.execute(
      'UPDATE credentials SET value = NULL, expires_at = NULL, updated_at = :now WHERE name = :name AND value = :failed',
      {
        name,
        failed,
        now: this.clock(),
      },
    );
  }

  private fresh(credential: FetchedCredential): boolean {
    return credential.expiresAt.getTime() - this.options.refreshBeforeMs > this.clock().getTime();
  }

  private async resolve(name: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    await this.db.execute(
      `${this.db.insertIgnoreInto} credentials (name, value, expires_at, updated_at) VALUES (:name, NULL, NULL, :now)`,
      {
        name,
        now: this.clock(),
      },
    );
    for (;;) {
      const stored = await this.read(name);
      if (stored && this.fresh(stored)) {
        this.cache.set(name, stored);
        return stored.value;
      }
      const now = this.clock();
      const leased = await this.db.execute(
        `UPDATE credentials SET lease_owner = :owner, lease_until = :until
          WHERE name = :name AND (lease_until IS NULL OR lease_until < :now)`,
        { name, owner: this.owner, until: new Date(now.getTime() + this.options.leaseMs), now },
      );
      if (leased === 1) return this.fetchUnderLease(name, fetch);
      // Another instance is fetching: its value arrives shortly; until then the old one still works if unexpired.
      if (stored && stored.expiresAt > now) return stored.value;
      await sleep(this.options.waitPollMs);
    }
  }

  private async fetchUnderLease(name: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    try {
      const fetched = await fetch();
      await this.db.execute(
        `UPDATE credentials SET value = :value, expires_at = :expiresAt, lease_owner = NULL, lease_until = NULL, updated_at = :now
          WHERE name = :name AND lease_owner = :owner`,
        { name, owner: this.owner, value: fetched.value, expiresAt: fetched.expiresAt, now: this.clock() },
      );
      this.cache.set(name, fetched);
      return fetched.value;
    } catch (error) {
      this.notices?.post({
        kind: 'credential.unobtainable',
        name,
        error: error instanceof Error ? error.message : String(error),
      });
      await this.db.execute(
        'UPDATE credentials SET lease_owner = NULL, lease_until = NULL WHERE name = :name AND lease_owner = :owner',
        {
          name,
          owner: this.owner,
        },
      );
      throw error;
    }
  }

  private async read(name: string): Promise<FetchedCredential | undefined> {
    const [row] = await this.db.select<CredentialRow>(
      'SELECT value, expires_at, lease_until FROM credentials WHERE name = :name',
      { name },
    );
    const expiresAt = this.db.parseTime(row?.expires_at);
    return row?.value && expiresAt ? { value: row.value, expiresAt } : undefined;
  }
}
