import { setImmediate as immediate } from 'node:timers/promises';
import { monotonicMs } from './clock';

/** How long a long computation keeps the event loop before letting requests, webhooks and timers run. */
export const defaultSliceMs = 10;
/** How long it keeps it while urgent work is in flight (see `urgent`). */
const urgentSliceMs = 1;

/** Urgent work in flight in this process: its event loop is shared by everything in it. */
let urgentInFlight = 0;

/**
 * Marks `work` as urgent while it runs: work others wait for, such as a write holding SQLite's one write lock, which
 * a webhook's answer queues behind. Long computations give way every millisecond meanwhile instead of every
 * `defaultSliceMs`, so each step of the urgent work waits a millisecond for its turn, not ten.
 */
export async function urgent<T>(work: () => Promise<T>): Promise<T> {
  urgentInFlight += 1;
  try {
    return await work();
  } finally {
    urgentInFlight -= 1;
  }
}

/**
 * Lets a long synchronous loop (planning a ledger for thousands of profiles, evaluating rules for each) share the event
 * loop: `if (slice.due()) await slice.giveWay();` once per item gives way (setImmediate, after pending I/O) when the
 * loop has run its slice since it last did. `due` costs a counter and, every 16 calls, a clock read, so it can sit in
 * the innermost loop; without it, one admin request's seconds of work hold every other request, health check and
 * webhook answer back for as long.
 */
export class TimeSlice {
  private since = monotonicMs();
  private calls = 0;

  constructor(private readonly sliceMs = defaultSliceMs) {}

  /** True when the loop has had its time and should give way before going on. */
  due(): boolean {
    this.calls += 1;
    return (
      (this.calls & 15) === 0 &&
      monotonicMs() - this.since >= (urgentInFlight > 0 ? Math.min(urgentSliceMs, this.sliceMs) : this.sliceMs)
    );
  }

  /** Lets everything waiting for the event loop run, then starts a new slice. */
  async giveWay(): Promise<void> {
    await immediate();
    this.since = monotonicMs();
  }
}
