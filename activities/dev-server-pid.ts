/**
 * The pid file of the embedded Temporal dev server (`cascade server start`, cli/dev-server.ts), read by the CLI
 * to stop it and by a worker on the same host to put the server's CPU time in the ledger (activities/platform.ts).
 * A pid alone is not trusted: the process must have started at the recorded time and run `temporal server
 * start-dev`, since the kernel may give a dead server's pid to any other process.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const pidFile = (home: string) => path.join(home, 'temporal.pid');

/** What the pid file records: enough to tell our server from a process that got its pid later. */
export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat when it started; undefined off Linux (no /proc). */
  startTime?: string;
  binary?: string;
}

/** The start time of a process (clock ticks after boot), or undefined when /proc does not say. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall; fields[0] is field 3
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

export function readPidFile(home: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile(home), 'utf8').trim();
  } catch {
    return undefined;
  }
  // a pid file from before start times were recorded holds the bare pid
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const r = JSON.parse(text) as Partial<PidRecord>;
    if (Number.isSafeInteger(r.pid) && (r.pid as number) > 0) return r as PidRecord;
  } catch {
    // not ours to read: treated as no pid file
  }
  return undefined;
}

/**
 * Whether the process the record names is still our dev server: alive, started when recorded, and running
 * `temporal server start-dev`. Where /proc is missing (not Linux), only liveness can be checked.
 */
export function isOurServer(r: PidRecord): boolean {
  if (!alive(r.pid)) return false;
  if (!existsSync('/proc/self/stat')) return true;
  const started = processStartTime(r.pid);
  if (r.startTime !== undefined && started !== r.startTime) return false;
  const argv = commandLine(r.pid);
  if (!argv) return false;
  const [program, ...args] = argv;
  const binaryOk =
    r.binary === undefined ? path.basename(program ?? '') === 'temporal' : program === r.binary;
  return binaryOk && args[0] === 'server' && args[1] === 'start-dev';
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of the dev server `home` started, while it runs; undefined otherwise. */
export function runningDevServerPid(home: string): number | undefined {
  const record = readPidFile(home);
  return record && isOurServer(record) ? record.pid : undefined;
}
