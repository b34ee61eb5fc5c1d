import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/config/project-root';
import { serverConfig } from '../fixtures/test-processes/fixture-support';
import { spawnServer } from '../support/server-process';
import { processTimeoutMs, spawnTracked } from '../support/test-processes';
import {
  canInspectProcesses,
  inspectProcess,
  processesOfRun,
  processesWithEnv,
  runVariable,
} from '../support/test-run';

// A nested run may take a process wait to its ceiling and then some: its own failure, not jest's timeout, should say so.
jest.setTimeout(3 * processTimeoutMs);

interface JestRun {
  code: number | null;
  output: string;
  reports: Record<string, unknown>[];
}

/** The project's jest, configured as for the suite, on fixtures of test/fixtures/test-processes. */
async function runJest(fixtures: string[], args: string[] = []): Promise<JestRun> {
  const root = projectRoot();
  const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-fixture-report-')), 'report.jsonl');
  const env: NodeJS.ProcessEnv = { ...process.env, PERSONA_FIXTURE_REPORT: reportFile, FORCE_COLOR: '0' };
  delete env.JEST_WORKER_ID; // the nested jest is a run of its own, not one of this run's workers
  const child = spawnTracked(
    process.execPath,
    [
      path.join(root, 'node_modules/jest/bin/jest.js'),
      '--ci',
      '--roots',
      path.join(root, 'test/fixtures/test-processes'),
      '--testMatch',
      '**/*.fixture.ts',
      ...args,
      ...fixtures.map((fixture) => path.join(root, 'test/fixtures/test-processes', fixture)),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode))),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the nested jest ran for over ${2 * processTimeoutMs} ms:\n${output}`)),
        2 * processTimeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const reports = existsSync(reportFile)
    ? readFileSync(reportFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];
  return { code, output, reports };
}

/** Kills what a nested run left; this run's teardown would not see it, for it carries the nested run's marker. */
function killRun(runId: unknown): void {
  if (typeof runId !== 'string') return;
  for (const { pid } of processesOfRun(runId)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** What a test starts dies with it: test/support/test-processes.ts, test/setup-after-env.ts, test/global-teardown.ts. */
(canInspectProcesses() ? describe : describe.skip)('processes started by tests', () => {
  it('hands a server the run marker and the test clock, its environment otherwise built from scratch', async () => {
    const underFaketime = process.env.FAKETIME !== undefined;
    // Outside faketime, a zero offset stands in: without libfaketime preloaded nothing reads it.
    if (!underFaketime) process.env.FAKETIME = '+0';
    try {
      const server = await spawnServer({ configFile: serverConfig() });
      try {
        const environ = readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0');
        expect(environ).toContain(`${runVariable}=${process.env[runVariable]}`);
        for (const name of ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_SHARED']) {
          if (process.env[name] !== undefined) expect(environ).toContain(`${name}=${process.env[name]}`);
        }
        // Under `faketime -f +<offset>`, a server on the real clock would log times that far from this test's.
        const logged = Date.parse(String(server.lines.find((line) => line.time)?.time));
        expect(Math.abs(logged - Date.now())).toBeLessThan(processTimeoutMs);
      } finally {
        server.child.kill('SIGTERM');
        expect((await server.exited).code).toBe(0);
      }
    } finally {
      if (!underFaketime) delete process.env.FAKETIME;
    }
  });

  it('kills the server it started when it does not listen in time', async () => {
    const probe = randomUUID();
    const starting = spawnServer({ configFile: serverConfig(), env: { PERSONA_TEST_PROBE: probe }, timeoutMs: 500 });
    expect(processesWithEnv('PERSONA_TEST_PROBE', probe)).not.toEqual([]);
    await expect(starting).rejects.toThrow('timed out after 500 ms waiting for the server to listen');
    expect(processesWithEnv('PERSONA_TEST_PROBE', probe)).toEqual([]);
  });

  it('kills what a test started when it times out, whether or not the server was listening yet', async () => {
    const resultsFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-fixture-results-')), 'results.json');
    const run = await runJest(['timeout.fixture.ts'], ['--json', `--outputFile=${resultsFile}`]);
    const runId = run.reports.find((entry) => entry.run)?.run;
    try {
      expect(run.code).toBe(1);
      // The teardown found nothing to complain about (else it would have thrown before jest wrote the results).
      expect(run.output).not.toContain('outlived their test files');
      const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
        testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
      };
      const tests = results.testResults.flatMap((file) => file.assertionResults);
      expect(tests.map(({ title, status }) => [title, status])).toEqual([
        ['while waiting for the server to listen', 'failed'],
        ['in the test', 'failed'],
      ]);
      expect(tests[0].failureMessages.join('')).toContain('Exceeded timeout of 500 ms for a test');
      expect(tests[1].failureMessages.join('')).toContain('Exceeded timeout of 100 ms for a test');

      // Each test ended with a server running: the cleanup had something to do.
      const alive = run.reports.filter((entry) => entry.test).map((entry) => entry.alive as { command: string }[]);
      expect(alive).toHaveLength(2);
      for (const processes of alive)
        expect(processes.map(({ command }) => command)).toContain(`${process.execPath} --import tsx src/main.ts`);
      const server = run.reports.find((entry) => entry.server)?.server;
      expect(typeof server).toBe('number');

      // And nothing of that run is left.
      expect(typeof runId).toBe('string');
      expect(processesOfRun(String(runId))).toEqual([]);
      expect(inspectProcess(Number(server))).toBeUndefined();
    } finally {
      killRun(runId);
    }
  });

  it('fails the run, naming it, when a process escaped its group, and kills it', async () => {
    // A memory limit makes jest use a worker even for one file: the teardown must tell its workers from leftovers.
    const run = await runJest(['escape.fixture.ts'], ['--workerIdleMemoryLimit=4GB']);
    const { run: runId, escapee, name, runner } = run.reports.find((entry) => entry.escapee) ?? {};
    try {
      expect(runner).toContain('processChild');
      expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain('1 process(es) started by this run outlived their test files; killed:');
      expect(run.output).toContain(`pid ${escapee}: ${process.execPath} -e setInterval(() => {}, 1000) ${name}`);
      expect(run.output).not.toContain('processChild');
      expect(inspectProcess(Number(escapee))).toBeUndefined();
      expect(processesOfRun(String(runId))).toEqual([]);
    } finally {
      killRun(runId);
    }
  });
});
