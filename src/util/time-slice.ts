import { setImmediate as immediate } from 'node:timers/promises';
import { monotonicMs } from './clock';

/** How long a long computation keeps the event loop before letting requests, webhooks and timers run. */
export const defaultSliceMs = 20;

/**
 * Lets a long synchronous loop (planning a ledger for thousands of profiles, evaluating rules for each) share the event
 * loop: `if (slice.due()) await slice.giveWay();` once per item gives way (setImmediate, after pending I/O) when the
 * loop has run `sliceMs` since it last did. `due` costs a counter and, every 64 calls, a clock read, so it can sit in
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
    return (this.calls & 63) === 0 && monotonicMs() - this.since >= this.sliceMs;
  }

  /** Lets everything waiting for the event loop run, then starts a new slice. */
  async giveWay(): Promise<void> {
    await immediate();
    this.since = monotonicMs();
  }
}
