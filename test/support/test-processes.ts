import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { runInThisContext } from 'node:vm';
import { canInspectProcesses, groupMembers, runVariable } from './test-run';
import { waitFor } from './wait-for';

/**
 * How long a test waits for another process to do something (listen, log, drain, exit). A ceiling costs nothing
 * when things are fast; it is this generous so that a machine five times slower than a developer's still passes.
 */
export const processTimeoutMs = 120_000;

interface Tracked {
  child: ChildProcess;
  /** The child leads its own group: this is also its pid. */
  pgid: number;
  command: string;
  exited: Promise<void>;
  /** Spawned by a test (or its beforeEach) rather than by a beforeAll: it goes when that test ends. */
  duringTest: boolean;
}

// Per test file: jest gives each file its own module registry, and test/setup-after-env.ts its own hooks.
const tracked = new Set<Tracked>();
let testRunning = false;
let finished = false;

/**
 * libfaketime's variables (`faketime` sets LD_PRELOAD, FAKETIME, FAKETIME_SHARED; the library reads more): a child
 * whose environment is built from scratch still runs on the clock the test runs on.
 */
const clockVariable =
  /^(LD_PRELOAD|FAKETIME|FAKETIME_\w+|FAKERANDOM_SEED|FAKE_UTIME|NO_FAKE_STAT|DONT_FAKE_MONOTONIC)$/;

function environmentFor(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => clockVariable.test(name)));
  const runId = process.env[runVariable];
  return { ...inherited, ...(env ?? process.env), ...(runId ? { [runVariable]: runId } : {}) };
}

/**
 * `spawn`, for tests: the child leads its own process group (so that killing the group also takes what it started),
 * carries the run marker and the test's clock whatever `options.env` says, and is killed with its group when the
 * test that started it ends (after a beforeAll: when the file ends), however that test ends.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  if (finished) {
    // Code a timed-out test left running, after its file's cleanup: nothing would stop this one.
    throw new Error(`not starting ${command} ${args.join(' ')}: its test file is finished`);
  }
  const child = spawn(command, args, { ...options, env: environmentFor(options.env), detached: true });
  if (child.pid === undefined) return child; // it never started: its 'error' event says why
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  tracked.add({ child, pgid: child.pid, command: [command, ...args].join(' '), exited, duringTest: testRunning });
  watchSignals();
  return child;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function kill(entry: Tracked, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  signalGroup(entry.pgid, 'SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${entry.command} to die`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([entry.exited, late]);
  } finally {
    clearTimeout(timer);
  }
  // The group outlives its leader while anything it started lives; signalling again catches what forked meanwhile.
  // Zombies still count for kill(2), so /proc has the last word where there is one.
  await waitFor(
    async () => !signalGroup(entry.pgid, 'SIGKILL') || (canInspectProcesses() && groupMembers(entry.pgid).length === 0),
    Math.max(deadline - Date.now(), 0),
    `the process group of ${entry.command} to die`,
  );
  tracked.delete(entry);
}

/** SIGKILLs the process group `child` leads and waits until nothing in it is alive. */
export async function killProcessGroup(child: ChildProcess, timeoutMs = processTimeoutMs): Promise<void> {
  const entry = [...tracked].find((candidate) => candidate.child === child);
  if (entry) await kill(entry, timeoutMs);
  else if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
}

/** Kills every group this test file started that is still tracked; for a file that must not go on while they run. */
export async function killTrackedProcesses(
  which: (entry: { duringTest: boolean }) => boolean = () => true,
): Promise<void> {
  const doomed = [...tracked].filter(which);
  // Each SIGKILL first, then the waits: none waits for another's death to be signalled.
  for (const entry of doomed) signalGroup(entry.pgid, 'SIGKILL');
  await Promise.all(doomed.map((entry) => kill(entry, processTimeoutMs)));
}

/** For test/setup-after-env.ts: a test (its beforeEach hooks included) begins. */
export function testStarted(): void {
  testRunning = true;
}

/** For test/setup-after-env.ts: a test ended, passed, failed or timed out; what it started goes. */
export async function testEnded(): Promise<void> {
  testRunning = false;
  await killTrackedProcesses((entry) => entry.duringTest);
}

/** For test/setup-after-env.ts: the file ended; everything it started goes, and nothing more may start. */
export async function fileEnded(): Promise<void> {
  finished = true;
  try {
    await killTrackedProcesses();
  } finally {
    unwatchSignals();
  }
}

// The children are not in jest's process group, so a Ctrl-C (or a CI's SIGTERM) to jest no longer reaches them: when
// this process goes, or the jest process that forked this worker does, it takes them along. jest gives test code a
// copy of `process` whose events never fire; signals reach the one in the main context. 'exit' allows only
// synchronous work, which a SIGKILL is.
const realProcess = runInThisContext('process') as NodeJS.Process;
const terminating: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killAllNow(): void {
  for (const entry of tracked) {
    try {
      realProcess.kill(-entry.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  unwatchSignals();
  // Let the signal do to this process what it would have done without us (others listening have had it already).
  if (realProcess.listenerCount(signal) === 0) realProcess.kill(realProcess.pid, signal);
}

let watching = false;

function watchSignals(): void {
  if (watching) return;
  watching = true;
  realProcess.on('exit', killAllNow);
  realProcess.on('disconnect', killAllNow);
  for (const signal of terminating) realProcess.on(signal, onSignal);
}

function unwatchSignals(): void {
  if (!watching) return;
  watching = false;
  realProcess.off('exit', killAllNow);
  realProcess.off('disconnect', killAllNow);
  for (const signal of terminating) realProcess.off(signal, onSignal);
}
