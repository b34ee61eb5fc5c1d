import type { BenchClient, BenchResponse } from './http-client';

export interface ProbeResult {
  name: string;
  requests: number;
  failures: number;
  /** Why requests failed: status codes or error messages, with counts. */
  failureReasons: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const nowMs = () => performance.now();

/**
 * Requests at a steady pace whatever the server does (an open loop): one due every `intervalMs`, each timed from when
 * it was due rather than from when a connection was free to send it. A server that stalls for 5 s then shows the stall
 * in every request due meanwhile, as callers experience it; a closed loop would stop sending while it waits and
 * record one slow request among many fast ones.
 */
export class PacedProbe {
  private readonly latencies: number[] = [];
  private readonly failureReasons: Record<string, number> = {};
  private failures = 0;
  private readonly due: number[] = [];
  private inFlight = 0;
  private nextDue = 0;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly client: BenchClient,
    /** Requests in flight at most (the client's connections). */
    private readonly connections: number,
    private readonly intervalMs: number,
    /** The request to send, built when it is sent (a signature's timestamp stays fresh). */
    private readonly request: () => Buffer,
    private readonly accept: (response: BenchResponse) => boolean = (response) => response.status === 200,
  ) {}

  start(): void {
    this.nextDue = nowMs();
    this.tick();
  }

  /** Due times follow the schedule, not the timer: a late tick queues every request that fell due meanwhile. */
  private tick(): void {
    for (const now = nowMs(); this.nextDue <= now; this.nextDue += this.intervalMs) this.due.push(this.nextDue);
    this.pump();
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextDue - nowMs()));
  }

  /** Stops sending, waits for the answers still due, and reports. */
  async stop(): Promise<ProbeResult> {
    clearTimeout(this.timer);
    if (this.inFlight > 0 || this.due.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      name: this.name,
      requests: sorted.length,
      failures: this.failures,
      failureReasons: this.failureReasons,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted.at(-1) ?? 0,
    };
  }

  private pump(): void {
    while (this.inFlight < this.connections && this.due.length > 0) {
      const dueAt = this.due.shift() as number;
      this.inFlight += 1;
      this.client
        .send(this.request())
        .then(
          (response) => {
            if (!this.accept(response)) this.fail(`HTTP ${response.status}`);
          },
          (error: unknown) => this.fail((error as Error).message),
        )
        .finally(() => {
          this.latencies.push(nowMs() - dueAt);
          this.inFlight -= 1;
          this.pump();
          if (this.inFlight === 0 && this.due.length === 0) this.idle?.();
        });
    }
  }

  private fail(reason: string): void {
    this.failures += 1;
    this.failureReasons[reason] = (this.failureReasons[reason] ?? 0) + 1;
  }
}
