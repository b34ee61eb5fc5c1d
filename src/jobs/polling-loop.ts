/**
 * The loop of a background worker: run a round, and when a round found nothing to do, wait for the poll interval or
 * a wake-up (new work written in this process), whichever comes first. A round that throws is passed to `onError`
 * and the loop carries on after the interval. `stop` lets the current round finish.
 */
export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(
    private readonly name: string,
    /** One round; answers how much it handled (0 = idle). */
    private readonly round: () => Promise<number>,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) throw new Error(`${this.name} already started`);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      let handled = 0;
      try {
        handled = await this.round();
      } catch (error) {
        this.onError(error);
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
