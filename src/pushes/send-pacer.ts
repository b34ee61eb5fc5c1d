import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces sends evenly at `perSecond`: each caller is given the next free slot (one every 1/perSecond s) and waits
 * for it. Slots left unused while the sender was busy elsewhere (reading the next claim) may be caught up, but never
 * more than `catchUpMs` worth: the rate holds over any stretch, and no more than a short burst goes out at once.
 */
export class SendPacer {
  private next = Number.NEGATIVE_INFINITY;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly catchUpMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  async acquire(): Promise<void> {
    const now = this.now();
    // The first send starts the schedule: nothing to catch up on yet.
    if (this.next === Number.NEGATIVE_INFINITY) this.next = now;
    const slot = Math.max(now - this.catchUpMs, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
