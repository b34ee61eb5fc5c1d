/**
 * npm run bench:wechat [-- --messages 2000 --concurrency 50 --split]
 *
 * Starts the built server (node dist/src/main.js) on DATABASE_URL (a temporary SQLite file when unset; a mysql:// URL
 * gets a fresh database created on that server and dropped afterwards), then posts signed WeChat text messages, plain
 * and safe mode, `concurrency` in flight, and prints accepted messages per second with p50/p99 latency of the webhook
 * answer, next to the same run's figures for GET /healthz. Finally checks that every message landed exactly once.
 *
 * By default one process both answers webhooks and runs the inbox worker (the out-of-the-box setup). With `--split`
 * the webhook process runs no worker and a second process drains the inbox (ingest.worker.enabled: false on web
 * nodes), which is how a busy account would be deployed.
 *
 * BENCH_NODE_ARGS passes flags to the server processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them);
 * BENCH_SERVER_LOG keeps the server's log in a file.
 */
import { randomUUID } from 'node:crypto';
import { Database } from '../src/db/database';
import { sampleAccount, signedPost, textMessage } from '../test/support/wechat-client';
import { prepareBenchDatabase } from './support/bench-database';
import { startBenchServer } from './support/bench-server';
import { BenchClient } from './support/http-client';
import { argument, printResults, runLoad } from './support/load';

const messages = argument('messages', 2000);
const concurrency = argument('concurrency', 50);
const split = process.argv.includes('--split');

const startServer = (databaseUrl: string, worker: boolean) =>
  startBenchServer(databaseUrl, {
    ingest: {
      worker: { enabled: worker, ...(process.env.EPT ? { entriesPerTransaction: Number(process.env.EPT) } : {}) },
    },
  });

async function main(): Promise<void> {
  const database = await prepareBenchDatabase();
  const server = await startServer(database.url, !split);
  const worker = split ? await startServer(database.url, true) : undefined;
  const client = new BenchClient(server.url, concurrency);
  const run = randomUUID().slice(0, 8);
  const prepare = (mode: 'plain' | 'safe', offset: number) =>
    Array.from({ length: messages }, (_, index) => {
      const n = offset + index;
      const request = signedPost(
        sampleAccount,
        textMessage(`oBench-${run}-${n % 500}`, `message ${n}`, `${run}-${n}`),
        { mode },
      );
      const prepared = client.prepare('POST', `/wechat?${request.query}`, request.body);
      return () => client.send(prepared);
    });
  try {
    console.log(
      `Persona webhook benchmark: ${messages} messages per run, ${concurrency} in flight, ` +
        `${split ? 'inbox worker in a second process' : 'inbox worker in the webhook process'}, ` +
        `database ${database.url.replace(/:[^:@/]*@/, ':***@')}`,
    );
    const warmUp = Array.from({ length: 200 }, (_, n) => {
      const request = signedPost(sampleAccount, textMessage(`oWarm-${run}`, 'warm-up', `warm-${run}-${n}`));
      const prepared = client.prepare('POST', `/wechat?${request.query}`, request.body);
      return () => client.send(prepared);
    });
    await runLoad('warm-up', warmUp, concurrency);
    const healthzRequest = client.prepare('GET', '/healthz');
    const healthz = Array.from({ length: messages }, () => () => client.send(healthzRequest));
    const results = [
      await runLoad('GET /healthz (baseline)', healthz, concurrency),
      await runLoad('POST /wechat plain', prepare('plain', 0), concurrency),
      await runLoad('POST /wechat safe mode', prepare('safe', messages), concurrency),
    ];
    printResults(results);

    const db = new Database({ url: database.url });
    try {
      const deadline = Date.now() + 120_000;
      let landed = 0;
      let failed = 0;
      for (;;) {
        // Pending first, then the count: counted the other way round, the last events could land in between.
        const [{ pending }] = await db.select<{ pending: number }>(
          "SELECT COUNT(*) AS pending FROM inbox WHERE status IN ('pending', 'processing')",
        );
        const [{ n }] = await db.select<{ n: number }>(
          // Persona's own records (tags, lifecycle) derive their keys from the message's: only the messages count.
          "SELECT COUNT(*) AS n FROM events WHERE source_key LIKE :prefix AND source <> 'persona'",
          {
            prefix: `wechat-official-account:default:msg:oBench-${run}-%`,
          },
        );
        const [{ f }] = await db.select<{ f: number }>("SELECT COUNT(*) AS f FROM inbox WHERE status = 'failed'");
        landed = Number(n);
        failed = Number(f);
        if (Number(pending) === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (failed > 0) console.log(`inbox entries that failed processing: ${failed}`);
      const [span] = await db.select<{ first: unknown; last: unknown }>(
        'SELECT MIN(received_at) AS first, MAX(processed_at) AS last FROM inbox WHERE source_key LIKE :prefix',
        { prefix: `wechat-official-account:default:msg:oBench-${run}-%` },
      );
      const seconds = ((db.parseTime(span.last)?.getTime() ?? 0) - (db.parseTime(span.first)?.getTime() ?? 0)) / 1000;
      console.log(
        `inbox worker: ${landed} events on timelines ${seconds.toFixed(1)} s after the first was received ` +
          `(${Math.round(landed / seconds)} events/s while also answering webhooks)`,
      );
      console.log(
        `landed on timelines: ${landed} of ${2 * messages} (exactly once: ${landed === 2 * messages ? 'yes' : 'NO'})`,
      );
      if (landed !== 2 * messages) process.exitCode = 1;
    } finally {
      await db.close();
    }
  } finally {
    client.close();
    await server.stop();
    await worker?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
