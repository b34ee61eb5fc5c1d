import type { Clock } from '../util/clock';

/**
 * At most `perMinute` commands per operator in any 60 seconds (a sliding window), per instance: the bot's WeChat
 * connection lives in one instance, and the HTTP transport's callers are admins.
 */
export class OperatorRateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** Counts a command by `operator`; false when over the limit (that command is not counted). */
  allow(operator: string): boolean {
    const now = this.clock().getTime();
    const kept = (this.recent.get(operator) ?? []).filter((at) => at > now - 60_000);
    if (kept.length >= this.perMinute) {
      this.recent.set(operator, kept);
      return false;
    }
    kept.push(now);
    this.recent.set(operator, kept);
    return true;
  }
}
