const rateWindowMs = 60_000;

/** At most `perMinute` requests start in any 60 s: each caller reserves the next free slot and waits for it. */
export class SlidingWindowLimiter {
  /** Start times of the last `perMinute` reservations, oldest first (some may be in the future). */
  private readonly slots: number[] = [];

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async acquire(): Promise<void> {
    const now = this.now();
    // Reserving synchronously keeps concurrent callers from taking the same slot.
    const slot =
      this.slots.length < this.perMinute
        ? now
        : Math.max(now, this.slots[this.slots.length - this.perMinute] + rateWindowMs);
    this.slots.push(slot);
    if (this.slots.length > this.perMinute) this.slots.shift();
    if (slot > now) await this.sleep(slot - now);
  }
}
