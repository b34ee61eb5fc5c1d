/** Thrown by a probe that knows its condition can no longer come (the process it watches exited): no more polling. */
export class Hopeless extends Error {}

/**
 * Polls `probe` until it answers something truthy, or fails after `timeoutMs`. For conditions produced by another
 * process (a restarted server, a cron tick), where there is nothing to await in this one.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof Hopeless) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
