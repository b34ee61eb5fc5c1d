import type { Logger } from 'pino';

/**
 * A background worker's loop: run a round, and when a round found nothing to do, wait for the poll interval or a
 * wake-up (new work written in this process), whichever comes first. A round that throws is logged and the loop
 * carries on after the interval. `stop` lets the current round finish.
 */
export abstract class PollingWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  protected constructor(
    private readonly name: string,
    private readonly pollIntervalMs: number,
    protected readonly log: Logger,
  ) {}

  /** One round; answers how much it handled (0: nothing was due). */
  abstract runOnce(): Promise<number>;

  start(): void {
    if (this.running) throw new Error(`${this.name} already started`);
    this.running = true;
    this.loop = this.run();
  }

  /** Lets the current round finish, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** New work was written: look now instead of at the next poll. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Rounds until nothing is due. For tests, tools and shutdown; answers how much was handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.runOnce();
      if (handled === 0) return total;
      total += handled;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (error) {
        this.log.error({ err: error }, `${this.name} round failed; retrying after the poll interval`);
      }
      if (handled === 0 && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.pendingWake) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wakeUp = done;
    });
  }
}
