interface Waiting<T> {
  items: T[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for hot insert paths: writes that arrive while a flush is in flight are gathered and stored together
 * in the next one, so fifty concurrent requests cost a few statements (and commits) instead of fifty. An idle
 * coalescer flushes at once, so a lone write waits for nothing. Each caller's promise settles when the statement
 * holding its items has committed (or failed), which keeps "durable before the answer" true.
 */
export class WriteCoalescer<T> {
  private readonly waiting: Waiting<T>[] = [];
  private flushing = false;

  constructor(
    private readonly store: (items: T[]) => Promise<void>,
    private readonly maxItemsPerStatement: number,
  ) {}

  write(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      const items = batch.flatMap((entry) => entry.items);
      try {
        for (let start = 0; start < items.length; start += this.maxItemsPerStatement) {
          await this.store(items.slice(start, start + this.maxItemsPerStatement));
        }
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Whole writes, in arrival order, up to the statement size (a single larger write goes alone, in chunks). */
  private takeBatch(): Waiting<T>[] {
    let count = 0;
    let taken = 0;
    while (taken < this.waiting.length) {
      const size = this.waiting[taken].items.length;
      if (taken > 0 && count + size > this.maxItemsPerStatement) break;
      count += size;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }
}
