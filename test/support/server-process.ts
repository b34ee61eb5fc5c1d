import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../../src/config/project-root';
import { testEnv } from './test-app';
import { killProcessGroup, processTimeoutMs, spawnTracked } from './test-processes';
import { Hopeless, waitFor } from './wait-for';

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

/** Persona as a real child process (`src/main.ts` through tsx), for what only a process can show: signals, crashes. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  lines: LogLine[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine>;
}

/** Writes a config file for a child process and answers its path. */
export function writeConfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-config-'));
  const file = path.join(dir, 'persona.yaml');
  writeFileSync(file, YAML.stringify(config));
  return file;
}

/**
 * Starts the process; with `expectListening` (default) resolves once it logs its URL, and if it doesn't, kills it
 * before failing. `timeoutMs` bounds that wait and each `waitForLog`. The process goes with its test in any case
 * (test/support/test-processes.ts).
 */
export async function spawnServer(
  options: { configFile?: string; env?: NodeJS.ProcessEnv; expectListening?: boolean; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  // Built from scratch, which spawnTracked completes with the run marker and libfaketime's variables.
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...testEnv,
      ...(options.configFile ? { PERSONA_CONFIG: options.configFile } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ msg: part });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((how) => {
    done = how;
  });

  const waitForLog = (predicate: (line: LogLine) => boolean, what: string) =>
    waitFor(
      async () => {
        const found = lines.find(predicate);
        // Else a dead process would be polled to the ceiling, and keep jest alive that long after a test timed out.
        if (!found && done) {
          const last = lines.slice(-3).map((line) => JSON.stringify(line));
          throw new Hopeless(
            `the process exited (${done.signal ?? `code ${done.code}`}) while waiting for ${what}; last log lines: ${last.join(' ')}; stderr: ${stderr.join('')}`,
          );
        }
        return found;
      },
      options.timeoutMs ?? processTimeoutMs,
      what,
    );

  let url = '';
  if (options.expectListening !== false) {
    try {
      const listening = await waitForLog(
        (line) => typeof line.url === 'string' && String(line.msg).startsWith('Persona is listening'),
        'the server to listen',
      );
      url = String(listening.url);
    } catch (error) {
      // The caller gets no handle on the process to stop it with.
      await killProcessGroup(child);
      throw error;
    }
  }
  return { child, url, lines, stderr, exited, waitForLog };
}
