const minuteMs = 60_000;

/**
 * At most `limit` requests start in any window (a minute unless said otherwise): each caller reserves the next free
 * slot and waits for it.
 */
export class SlidingWindowLimiter {
  /** Start times of the last `limit` reservations, oldest first (some may be in the future). */
  private readonly slots: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly windowMs = minuteMs,
  ) {}

  /** How long a reservation made now would wait, in milliseconds (0: a slot is free). */
  get waitMs(): number {
    if (this.slots.length < this.limit) return 0;
    return Math.max(0, this.slots[this.slots.length - this.limit] + this.windowMs - this.now());
  }

  async acquire(): Promise<void> {
    const now = this.now();
    // Reserving synchronously keeps concurrent callers from taking the same slot.
    const slot =
      this.slots.length < this.limit ? now : Math.max(now, this.slots[this.slots.length - this.limit] + this.windowMs);
    this.slots.push(slot);
    if (this.slots.length > this.limit) this.slots.shift();
    if (slot > now) await this.sleep(slot - now);
  }
}
