/** A closed-loop load run: `concurrency` clients send prepared requests back to back; latency per request. */
export interface LoadResult {
  name: string;
  requests: number;
  failures: number;
  /** Why requests failed: status codes or error messages, with counts. */
  failureReasons: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runLoad(
  name: string,
  requests: readonly (() => Promise<{ status: number }>)[],
  concurrency: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const failureReasons: Record<string, number> = {};
  const fail = (reason: string) => {
    failures += 1;
    failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
  };
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const send = requests[next++];
        const t0 = process.hrtime.bigint();
        try {
          const response = await send();
          if (response.status !== 200) fail(`HTTP ${response.status}`);
        } catch (error) {
          fail((error as Error).message);
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    name,
    requests: requests.length,
    failures,
    failureReasons,
    seconds,
    perSecond: requests.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

export function printResults(results: LoadResult[]): void {
  const rows = results.map((r) => ({
    run: r.name,
    requests: r.requests,
    failures: r.failures,
    'per second': Math.round(r.perSecond),
    'p50 ms': r.p50Ms.toFixed(1),
    'p99 ms': r.p99Ms.toFixed(1),
  }));
  console.table(rows);
  for (const result of results.filter((r) => r.failures > 0)) {
    console.log(`${result.name}: failures ${JSON.stringify(result.failureReasons)}`);
  }
}

export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: expected a positive whole number`);
  return value;
}
