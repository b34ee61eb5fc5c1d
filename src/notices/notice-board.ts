import type { Logger } from 'pino';
import type { Clock } from '../util/clock';
import { alertKey, isAlert, type Notice } from './notice.types';

export type NoticeListener = (notice: Notice, repeats: number) => void | Promise<void>;

/**
 * Where rooms post notices, in this instance. Posting never waits for or fails because of a listener (a robot that is
 * down doesn't hold up a push); a listener's failure is logged. An alert that repeats (the same key) is passed on once
 * per `quietMs`, with how many came meanwhile, so a burst of parked entries is one message, not a flood.
 */
export class NoticeBoard {
  private readonly listeners = new Set<NoticeListener>();
  /** Per alert key: when it was last passed on, and how many were held back since. */
  private readonly lastTold = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly quietMs = 10 * 60_000,
  ) {}

  /** Adds a listener; answers its removal. */
  subscribe(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  post(notice: Notice): void {
    if (this.listeners.size === 0) return;
    let repeats = 0;
    if (isAlert(notice)) {
      const key = alertKey(notice);
      const now = this.clock().getTime();
      const last = this.lastTold.get(key);
      if (last && now - last.at < this.quietMs) {
        last.held += 1;
        return;
      }
      repeats = last?.held ?? 0;
      this.lastTold.set(key, { at: now, held: 0 });
    }
    for (const listener of this.listeners) {
      Promise.resolve()
        .then(() => listener(notice, repeats))
        .catch((error: unknown) => this.log.warn({ err: error, notice: notice.kind }, 'a notice listener failed'));
    }
  }
}
