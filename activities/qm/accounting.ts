/**
 * CPU time and peak memory of a calculation: the code and everything it spawns.
 *
 * Exact figures come from wait4 in the launcher (launcher.ts), which reaps the code: user+system CPU of the
 * code and every descendant it waited for, and the peak resident set size, also for runs that were killed.
 * Without the launcher they come from GNU time (Debian package `time`, installed on this machine as
 * /usr/bin/time, but not part of minimal images): the code runs as `time -f ... -o
 * <workdir>/.cascade-rusage -- code argv...` (still no shell), and time reports the same figures after
 * waiting for the code. Where GNU time is absent too (or CASCADE_TIME='' turns it off), and for runs we
 * kill (time dies with its group and reports nothing), the runner falls back to sampling /proc: every
 * second, and once just before killing (also with the launcher, for children not waited for), it sums
 * utime+stime+cutime+cstime (clock ticks, USER_HZ = 100 on Linux) over the processes of the group and
 * tracks the largest VmHWM; without either it also reads the leader's counters every 100 ms. That is a lower bound, missing the CPU of the last interval before
 * a normal exit (and of descendants that outlived a sample but not the leader); for killed runs it
 * is right up to the kill. Node itself cannot help: process.resourceUsage() covers only itself, and
 * its own cutime mixes every child it reaped.
 */
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { execa } from 'execa';
import { HAVE_PROC, peakRssKb, readStat, scanGroup } from './proc.js';

/** How often the leader's own counters are read when GNU time is not there. */
export const LEADER_SAMPLE_MS = 100;
const RUSAGE_FORMAT = 'cascade-rusage wall=%e user=%U sys=%S maxrss=%M';
const USER_HZ = 100;

const timeChecks = new Map<string, Promise<string | undefined>>();

/** Path of a usable GNU time ($CASCADE_TIME, default /usr/bin/time), checked once; undefined when absent. */
export function gnuTime(): Promise<string | undefined> {
  const path = process.env.CASCADE_TIME ?? '/usr/bin/time';
  let check = timeChecks.get(path);
  if (!check) {
    check = path
      ? execa(path, ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 }).then((r) =>
          /GNU/.test(`${r.stdout}${r.stderr}`) ? path : undefined,
        )
      : Promise.resolve(undefined);
    timeChecks.set(path, check);
  }
  return check;
}

/** File and arguments that run `binary argv` under GNU time, which writes its report to `rusageFile`. */
export function underGnuTime(
  timeBinary: string,
  rusageFile: string,
  binary: string,
  argv: readonly string[],
): [string, string[]] {
  return [timeBinary, ['-f', RUSAGE_FORMAT, '-o', rusageFile, '--', binary, ...argv]];
}

export interface RusageReport {
  cpuSeconds: number;
  maxRssKb: number;
  signal?: string;
}

/** GNU time's report; "Command terminated by signal N" precedes it when the code died of a signal. */
export function parseRusage(text: string): RusageReport | undefined {
  const m = /cascade-rusage wall=\S+ user=([\d.]+) sys=([\d.]+) maxrss=(\d+)/.exec(text);
  if (!m) return undefined;
  // %U and %S have two decimals; round the sum so 1.92 + 1.93 does not print as 3.8499999999999996
  const report: RusageReport = {
    cpuSeconds: Math.round((Number(m[1]) + Number(m[2])) * 100) / 100,
    maxRssKb: Number(m[3]),
  };
  const sig = /Command terminated by signal (\d+)/.exec(text)?.[1];
  if (sig) {
    const n = Number(sig);
    report.signal = Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
  }
  return report;
}

/** The report GNU time left in `rusageFile`; undefined when it wrote none (it was killed with the group). */
export async function readRusage(rusageFile: string): Promise<RusageReport | undefined> {
  return parseRusage(await readFile(rusageFile, 'utf8').catch(() => ''));
}

/** Running /proc view of a group's CPU and peak memory. */
export class GroupUsage {
  cpuSeconds = 0;
  maxRssKb: number | undefined;

  /** The leader alone: one small read, cheap enough to do often. */
  async sampleLeader(pid: number): Promise<void> {
    const stat = await readStat(pid);
    if (!stat || stat.state === 'Z') return;
    this.cpuSeconds = Math.max(this.cpuSeconds, stat.ticks / USER_HZ);
    this.notePeak(await peakRssKb(pid));
  }

  async sample(pgid: number): Promise<void> {
    if (!HAVE_PROC) return;
    const procs = await scanGroup(pgid);
    if (procs.length === 0) return;
    // The live processes' totals include the descendants they reaped; never let the figure go down.
    this.cpuSeconds = Math.max(this.cpuSeconds, procs.reduce((s, p) => s + p.ticks, 0) / USER_HZ);
    for (const p of procs) this.notePeak(await peakRssKb(p.pid));
  }

  private notePeak(kb: number | undefined): void {
    if (kb !== undefined) this.maxRssKb = Math.max(this.maxRssKb ?? 0, kb);
  }
}
