interface Waiting<T, R> {
  items: T[];
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit for hot insert paths: writes that arrive while a flush is in flight are gathered and stored together
 * in the next one, so fifty concurrent requests cost a few statements (and commits) instead of fifty. An idle
 * coalescer flushes at once, so a lone write waits for nothing. `store` gets the gathered writes (each caller's items,
 * in arrival order) and answers one result per write, so every caller learns what happened to its own items however
 * the statements were shared; each caller's promise settles when what holds its items has committed (or failed),
 * which keeps "durable before the answer" true.
 */
export class WriteCoalescer<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private flushing = false;

  constructor(
    private readonly store: (writes: T[][]) => Promise<R[]>,
    private readonly maxItemsPerFlush: number,
  ) {}

  write(items: T[]): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      try {
        const results = await this.store(batch.map((entry) => entry.items));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Whole writes, in arrival order, up to `maxItemsPerFlush` items (a single larger write goes alone). */
  private takeBatch(): Waiting<T, R>[] {
    let count = 0;
    let taken = 0;
    while (taken < this.waiting.length) {
      const size = this.waiting[taken].items.length;
      if (taken > 0 && count + size > this.maxItemsPerFlush) break;
      count += size;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }
}
