import { canInspectProcesses, inspectProcess, type ProcessInfo, processesOfRun, runVariable } from './support/test-run';
import { waitFor } from './support/wait-for';

/** jest's own processes carry the run's name too: this one, and the workers it forked after the global setup. */
function isJest(info: ProcessInfo): boolean {
  return info.pid === process.pid || (info.ppid === process.pid && /jest-worker\b.*processChild/.test(info.command));
}

/**
 * Fails the run if any process it started is still alive, after killing it. Every test file kills what it started
 * (test/setup-after-env.ts), so this finds only what escaped that: a grandchild that left its group, a child spawned
 * without spawnTracked, or one a crashed worker left behind.
 */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env[runVariable];
  if (!runId || !canInspectProcesses()) return;
  const leftovers = processesOfRun(runId).filter((info) => !isJest(info));
  if (leftovers.length === 0) return;
  const ownGroup = inspectProcess(process.pid)?.pgid;
  for (const { pid, pgid } of leftovers) {
    // Not the group jest itself is in: a child spawned without its own group shares it.
    for (const target of pgid === ownGroup ? [pid] : [-pgid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  await waitFor(async () => leftovers.every(({ pid }) => !inspectProcess(pid)), 10_000, 'the leftovers to die').catch(
    () => undefined,
  );
  const survivors = leftovers.filter(({ pid }) => inspectProcess(pid));
  const list = leftovers.map(({ pid, command }) => `  pid ${pid}: ${command}`).join('\n');
  throw new Error(
    `${leftovers.length} process(es) started by this run outlived their test files; killed${
      survivors.length > 0 ? `, but ${survivors.map(({ pid }) => pid).join(', ')} still alive` : ''
    }:\n${list}`,
  );
}
