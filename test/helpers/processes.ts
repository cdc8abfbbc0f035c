import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface LiveProcess {
  pid: number;
  /** The command name, from /proc/<pid>/comm. */
  comm: string;
  /** The working directory; '' when it cannot be read (not ours to inspect). */
  cwd: string;
  pgrp: number;
}

/** Live (non-zombie) processes on this machine, from /proc; those that vanish meanwhile are left out. */
export function liveProcesses(): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after "(comm)": state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // not ours to inspect
      }
      found.push({ pid: Number(entry), comm, cwd, pgrp: Number(pgrp) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Live processes working inside `dir`. */
export const processesIn = (dir: string): LiveProcess[] =>
  liveProcesses().filter((p) => p.cwd.startsWith(dir));

/** The pids of live processes whose command name is `name`. */
export const processesNamed = (name: string): number[] =>
  liveProcesses()
    .filter((p) => p.comm === name)
    .map((p) => p.pid);
