/**
 * Reads Linux /proc: state, CPU clock ticks and peak memory of processes. Process-group checks and
 * resource accounting both use it. Processes may exit at any moment, so a file that cannot be read
 * means "gone" and is never an error.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export const HAVE_PROC = existsSync('/proc/self/stat');

export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), ... */
  state: string;
  pgrp: number;
  /** utime+stime+cutime+cstime, in clock ticks. */
  ticks: number;
  /** utime+stime: the process's own, without the children it reaped. */
  ownTicks: number;
}

export interface ProcEntry {
  pid: number;
  state: string;
  ticks: number;
}

/** The fields of /proc/<pid>/stat that we use; undefined when the process is gone. */
export async function readStat(pid: number | string): Promise<ProcStat | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // "pid (comm) state ppid pgrp ... utime(14) stime(15) cutime(16) cstime(17)"; comm may hold spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0);
  const ownTicks = Number(f[11] ?? 0) + Number(f[12] ?? 0);
  return { state: f[0] ?? '?', pgrp: Number(f[2]), ticks, ownTicks };
}

/** Processes of a process group from /proc/<pid>/stat: state and utime+stime+cutime+cstime. */
export async function scanGroup(pgid: number): Promise<ProcEntry[]> {
  const entries: ProcEntry[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readStat(name);
    if (!stat || stat.pgrp !== pgid) continue;
    entries.push({ pid: Number(name), state: stat.state, ticks: stat.ticks });
  }
  return entries;
}

/** Peak resident set size (VmHWM) of a process in kB; undefined when the process is gone. */
export async function peakRssKb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return hwm ? Number(hwm) : undefined;
}
