import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { sampleAccount } from '../../test/support/wechat-client';

const root = path.join(__dirname, '..', '..');

/** The admin token benchmarks give the server they start. */
export const benchAdminToken = 'bench-admin-token-0123456789';

export interface BenchServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the built server (node dist/src/main.js) on `databaseUrl` with the WeChat plugin on for the protocol's sample
 * account and `config` layered on top, and answers its URL once it listens. BENCH_NODE_ARGS passes flags to node
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); BENCH_SERVER_LOG keeps the server's log in a file.
 */
export async function startBenchServer(
  databaseUrl: string,
  config: Record<string, unknown> = {},
): Promise<BenchServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-bench-config-'));
  const configFile = path.join(dir, 'bench.yaml');
  writeFileSync(
    configFile,
    YAML.stringify({
      server: { host: '127.0.0.1', port: 0 },
      database: { url: databaseUrl },
      plugins: {
        'wechat-official-account': {
          enabled: true,
          accounts: [
            {
              name: 'default',
              appId: 'env:WECHAT_APP_ID',
              token: 'env:WECHAT_TOKEN',
              encodingAESKey: 'env:WECHAT_ENCODING_AES_KEY',
            },
          ],
        },
      },
      ...config,
    }),
  );
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), 'dist/src/main.js'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PERSONA_CONFIG: configFile,
        ADMIN_TOKEN: benchAdminToken,
        WECHAT_APP_ID: sampleAccount.appId,
        WECHAT_TOKEN: sampleAccount.token,
        WECHAT_ENCODING_AES_KEY: sampleAccount.encodingAESKey,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const listen = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
      if (!match) return;
      // From here on the server's logs are drained unread, so reading them costs the load generator nothing.
      child.stdout.off('data', listen);
      if (process.env.BENCH_SERVER_LOG) child.stdout.pipe(createWriteStream(process.env.BENCH_SERVER_LOG));
      else child.stdout.resume();
      resolve(match[1]);
    };
    child.stdout.on('data', listen);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
