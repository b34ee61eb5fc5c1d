import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The variable naming one jest run (a fresh id, set by test/global-setup.ts) in the environment of every process the
 * run starts. Environments are inherited, so it also marks grandchildren and processes that left their group: what
 * /proc shows carrying it is what the run still owes.
 */
export const runVariable = 'PERSONA_TEST_RUN';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

/** Whether this system shows other processes' environments (Linux); elsewhere the checks built on it stand down. */
export function canInspectProcesses(): boolean {
  return existsSync('/proc/self/environ');
}

/** A live process (zombies are dead and hold nothing), or undefined: gone, or another user's. */
export function inspectProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself hold spaces and parentheses: the fields follow its last ')'.
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(ppid), pgid: Number(pgid), command };
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Live processes whose environment carries `variable=value`; none where /proc can't tell. */
export function processesWithEnv(variable: string, value: string): ProcessInfo[] {
  if (!canInspectProcesses()) return [];
  const entry = `${variable}=${value}`;
  const found: ProcessInfo[] = [];
  for (const pid of pids()) {
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!environ.split('\0').includes(entry)) continue;
    const info = inspectProcess(pid);
    if (info) found.push(info);
  }
  return found;
}

/** Live processes started by the run `runId`, wherever they are in the process tree. */
export function processesOfRun(runId: string): ProcessInfo[] {
  return processesWithEnv(runVariable, runId);
}

/** Live members of a process group; none where /proc can't tell. */
export function groupMembers(pgid: number): ProcessInfo[] {
  if (!canInspectProcesses()) return [];
  return pids()
    .map(inspectProcess)
    .filter((info): info is ProcessInfo => info?.pgid === pgid);
}
