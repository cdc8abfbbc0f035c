/**
 * Runs one QM calculation: template -> inputs in a fresh work directory -> the code, launched per the
 * profile without a shell, in its own process group -> outputs or a classified failure, with
 * provenance (version, host, input hash, wall/CPU time, peak memory, output tails).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { codeVersion, MissingBinaryError, resolveBinary } from './profile.js';
import type {
  CalcFailure,
  CalcInputs,
  CalcOutputs,
  CalcSpec,
  Geometry,
  Profile,
  QmTemplate,
} from './template.js';

export interface Progress {
  elapsedSeconds: number;
  /** The last non-empty line the code printed on stdout. */
  line?: string;
}

export interface RunOptions {
  /** Work directories are created below it, one per distinct input. */
  workRoot: string;
  timeoutMs: number;
  /** Aborting kills the calculation (outcome 'killed'). */
  signal?: AbortSignal;
  /** Called about once a second while the code runs. */
  onProgress?: (p: Progress) => void;
}

export interface Provenance {
  code: string;
  codeVersion: string;
  host: string;
  /** sha256 of the canonical inputs (argv, env, files); also the work directory's name. */
  inputHash: string;
  workDir: string;
  wallSeconds: number;
  /** User + system CPU of the code and all its descendants. */
  cpuSeconds: number;
  maxRssKb?: number;
  exitCode: number | null;
  signal?: string;
  stdoutTail: string;
  stderrTail: string;
}

export interface RunResult {
  outcome: CalcOutputs | CalcFailure;
  provenance: Provenance;
}

const PROGRESS_INTERVAL_MS = 1_000;
const LEADER_SAMPLE_MS = 100;
/** setTimeout fires at once for delays beyond 2^31-1 ms (24.8 days); longer limits are capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Time between SIGTERM and SIGKILL: lets the code write restart files and exit cleanly. */
const KILL_GRACE_MS = 2_000;
const TAIL_LINES = 40;
const TAIL_CHARS = 4_000;
const FILE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** sha256 hex of the code name and the inputs in canonical form (sorted keys, fixed layout). */
export function hashInputs(code: string, inputs: CalcInputs): string {
  const sorted = (r: Record<string, string> = {}) =>
    Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify({
    code,
    argv: inputs.argv,
    env: sorted(inputs.env),
    files: sorted(inputs.files),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function tail(text: string): string {
  return text.split('\n').slice(-TAIL_LINES).join('\n').slice(-TAIL_CHARS);
}

const fail = (kind: CalcFailure['kind'], message: string, retryable = false): CalcFailure => ({
  kind,
  message,
  retryable,
});

export async function runCalculation(
  template: QmTemplate,
  profile: Profile,
  spec: CalcSpec,
  geom: Geometry,
  opts: RunOptions,
): Promise<RunResult> {
  const provenance: Provenance = {
    code: template.code,
    codeVersion: 'unknown',
    host: hostname(),
    inputHash: '',
    workDir: '',
    wallSeconds: 0,
    cpuSeconds: 0,
    exitCode: null,
    stdoutTail: '',
    stderrTail: '',
  };
  const done = (outcome: CalcOutputs | CalcFailure): RunResult => ({ outcome, provenance });

  let inputs: CalcInputs;
  try {
    inputs = template.write(spec, geom);
    const bad = Object.keys(inputs.files).find((name) => !FILE_NAME.test(name));
    if (bad !== undefined) throw new Error(`input file name "${bad}" is not a plain file name`);
  } catch (e) {
    return done(fail('invalid-input', (e as Error).message));
  }
  provenance.inputHash = hashInputs(template.code, inputs);
  provenance.workDir = join(opts.workRoot, provenance.inputHash);

  let binary: string;
  try {
    binary = await resolveBinary(profile.binary);
    provenance.codeVersion = await codeVersion(profile.binary);
  } catch (e) {
    if (e instanceof MissingBinaryError) return done(fail('missing-binary', e.message));
    throw e;
  }
  // Identical inputs share a work directory: runs of the same inputs in this process take turns.
  const release = await lockWorkDir(provenance.workDir);
  try {
    if (opts.signal?.aborted) return done(fail('killed', 'cancelled before the calculation started'));
    return done(await execute(template, profile, binary, inputs, provenance, opts));
  } finally {
    release();
  }
}

const workDirLocks = new Map<string, Promise<void>>();

async function lockWorkDir(dir: string): Promise<() => void> {
  const previous = workDirLocks.get(dir) ?? Promise.resolve();
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const mine = previous.then(() => gate);
  workDirLocks.set(dir, mine);
  await previous;
  return () => {
    release();
    if (workDirLocks.get(dir) === mine) workDirLocks.delete(dir);
  };
}

/** Prepares the work directory, runs the code, accounts for it and parses its output; fills in `provenance`. */
async function execute(
  template: QmTemplate,
  profile: Profile,
  binary: string,
  inputs: CalcInputs,
  provenance: Provenance,
  opts: RunOptions,
): Promise<CalcOutputs | CalcFailure> {
  const workDir = provenance.workDir;
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  for (const [name, text] of Object.entries(inputs.files)) await writeFile(join(workDir, name), text);

  const threads = String(profile.threads);
  const env = {
    ...inputs.env,
    ...profile.env,
    OMP_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
  };
  const timeBinary = await gnuTime();
  const rusageFile = join(workDir, '.cascade-rusage');
  const [file, args] = timeBinary
    ? [timeBinary, ['-f', RUSAGE_FORMAT, '-o', rusageFile, '--', binary, ...inputs.argv]]
    : [binary, inputs.argv];

  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let lastLine: string | undefined;
  const child = execa(file, args, {
    cwd: workDir,
    env,
    detached: true, // setsid(): the child leads a new process group, so the whole tree can be signalled
    reject: false,
    stdin: 'ignore',
    // A line transform sees each stdout line as it arrives (for progress) and passes it through unchanged.
    stdout: function* (line: unknown) {
      const text = String(line).trim();
      if (text) lastLine = text;
      yield line;
    },
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const pgid = child.pid;

  const usage = new GroupUsage();
  let stopReason: 'timeout' | 'aborted' | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: 'timeout' | 'aborted') => {
    if (stopReason || pgid === undefined) return;
    stopReason = reason;
    stopping = usage.sample(pgid).then(() => terminateGroup(pgid));
  };
  const onAbort = () => stop('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop('aborted'); // aborted while the work directory was being prepared
  const timer = setTimeout(() => stop('timeout'), Math.min(opts.timeoutMs, MAX_TIMER_MS));
  const ticker = setInterval(() => {
    if (pgid !== undefined && !stopReason) void usage.sample(pgid);
    try {
      opts.onProgress?.({ elapsedSeconds: elapsed(), ...(lastLine !== undefined && { line: lastLine }) });
    } catch {
      // a failing progress sink must not take the calculation down
    }
  }, PROGRESS_INTERVAL_MS);
  // Without GNU time the leader's own counters are read often, so short runs are not reported as 0 s.
  const fastTicker =
    timeBinary || pgid === undefined
      ? undefined
      : setInterval(() => void usage.sampleLeader(pgid), LEADER_SAMPLE_MS);
  if (pgid !== undefined) liveGroups.add(pgid);

  const result = await child;
  clearTimeout(timer);
  clearInterval(ticker);
  clearInterval(fastTicker);
  opts.signal?.removeEventListener('abort', onAbort);
  provenance.wallSeconds = elapsed();
  await stopping;
  // Descendants that outlived the leader (daemonised helpers, MPI ranks) are ended too.
  if (pgid !== undefined) {
    await terminateGroup(pgid);
    liveGroups.delete(pgid);
  }

  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  // Kept beside the code's own files for post-mortems; provenance carries only the tails.
  await writeFile(join(workDir, '.cascade-stdout'), stdout).catch(() => undefined);
  await writeFile(join(workDir, '.cascade-stderr'), stderr).catch(() => undefined);
  provenance.stdoutTail = tail(stdout);
  provenance.stderrTail = tail(stderr);
  provenance.exitCode = result.exitCode ?? null;
  if (result.signal) provenance.signal = result.signal;
  const report = timeBinary ? parseRusage(await readFile(rusageFile, 'utf8').catch(() => '')) : undefined;
  if (report) {
    provenance.cpuSeconds = report.cpuSeconds;
    provenance.maxRssKb = report.maxRssKb;
    if (report.signal) {
      provenance.exitCode = null;
      provenance.signal = report.signal;
    }
  } else {
    provenance.cpuSeconds = usage.cpuSeconds;
    if (usage.maxRssKb !== undefined) provenance.maxRssKb = usage.maxRssKb;
  }

  if (stopReason === 'timeout') {
    return fail('timeout', `${template.code} exceeded its ${opts.timeoutMs} ms time limit and was killed`);
  }
  if (stopReason === 'aborted') return fail('killed', `${template.code} was cancelled and killed`);
  if (pgid === undefined || (result.failed && result.exitCode === undefined && !result.signal)) {
    const msg = (result.failed && result.shortMessage) || 'no process id';
    return fail(/ENOENT/.test(msg) ? 'missing-binary' : 'unknown', `could not start ${binary}: ${msg}`);
  }
  if (result.isMaxBuffer)
    return fail('unknown', `${template.code} printed more than the output buffer holds`);
  try {
    return template.parse({
      files: (name) => readWorkFile(workDir, name),
      stdout,
      stderr,
      exitCode: provenance.exitCode,
    });
  } catch (e) {
    return fail('unknown', `could not parse ${template.code} output: ${(e as Error).message}`);
  }
}

function readWorkFile(workDir: string, name: string): string | undefined {
  if (!FILE_NAME.test(name)) return undefined;
  try {
    return readFileSync(join(workDir, name), 'utf8');
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Killing process groups

/** Groups still running, ended with SIGKILL if this process exits first (detached children would survive). */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the group, wait up to the grace period for it to empty, then SIGKILL whatever is left. */
async function terminateGroup(pgid: number): Promise<void> {
  if (!(await groupAlive(pgid))) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = performance.now() + KILL_GRACE_MS;
  while (performance.now() < deadline) {
    await sleep(25);
    if (!(await groupAlive(pgid))) return;
  }
  signalGroup(pgid, 'SIGKILL');
  while (await groupAlive(pgid)) await sleep(25);
}

const HAVE_PROC = existsSync('/proc/self/stat');

/** Whether any non-zombie process is in the group (zombies of orphans may linger when PID 1 does not reap). */
async function groupAlive(pgid: number): Promise<boolean> {
  if (HAVE_PROC) return (await scanGroup(pgid)).some((p) => p.state !== 'Z');
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Resource accounting
//
// Exact figures come from GNU time (Debian package `time`, installed on this machine as /usr/bin/time,
// but not part of minimal images): the code runs as `time -f ... -o <workdir>/.cascade-rusage -- code
// argv...` (still no shell), and time reports getrusage(RUSAGE_CHILDREN) after waiting for the code:
// user+system CPU of the code and every descendant it waited for, and the peak resident set size.
// Where GNU time is absent (or CASCADE_TIME='' turns it off), and for runs we kill (time dies with
// its group and reports nothing), the runner falls back to sampling /proc: every second, and once
// just before killing, it sums utime+stime+cutime+cstime (clock ticks, USER_HZ = 100 on Linux) over
// the processes of the group and tracks the largest VmHWM; without GNU time it also reads the
// leader's counters every 100 ms. That is a lower bound, missing the CPU of the last interval before
// a normal exit (and of descendants that outlived a sample but not the leader); for killed runs it
// is right up to the kill. Node itself cannot help: process.resourceUsage() covers only itself, and
// its own cutime mixes every child it reaped.

const RUSAGE_FORMAT = 'cascade-rusage wall=%e user=%U sys=%S maxrss=%M';
const USER_HZ = 100;

const timeChecks = new Map<string, Promise<string | undefined>>();

/** Path of a usable GNU time ($CASCADE_TIME, default /usr/bin/time), checked once; undefined when absent. */
function gnuTime(): Promise<string | undefined> {
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

interface RusageReport {
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

interface ProcEntry {
  pid: number;
  state: string;
  ticks: number;
}

/** Processes of a process group from /proc/<pid>/stat: state and utime+stime+cutime+cstime. */
async function scanGroup(pgid: number): Promise<ProcEntry[]> {
  const entries: ProcEntry[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // "pid (comm) state ppid pgrp ... utime(14) stime(15) cutime(16) cstime(17)"; comm may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0);
    entries.push({ pid: Number(name), state: f[0] ?? '?', ticks });
  }
  return entries;
}

/** Running /proc view of a group's CPU and peak memory. */
class GroupUsage {
  cpuSeconds = 0;
  maxRssKb: number | undefined;

  /** The leader alone: one small read, cheap enough to do often. */
  async sampleLeader(pid: number): Promise<void> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) return;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z') return;
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0);
    this.cpuSeconds = Math.max(this.cpuSeconds, ticks / USER_HZ);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1];
    if (hwm) this.maxRssKb = Math.max(this.maxRssKb ?? 0, Number(hwm));
  }

  async sample(pgid: number): Promise<void> {
    if (!HAVE_PROC) return;
    const procs = await scanGroup(pgid);
    if (procs.length === 0) return;
    // The live processes' totals include the descendants they reaped; never let the figure go down.
    this.cpuSeconds = Math.max(this.cpuSeconds, procs.reduce((s, p) => s + p.ticks, 0) / USER_HZ);
    for (const p of procs) {
      const status = await readFile(`/proc/${p.pid}/status`, 'utf8').catch(() => '');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      if (hwm) this.maxRssKb = Math.max(this.maxRssKb ?? 0, Number(hwm));
    }
  }
}
