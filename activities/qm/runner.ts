/**
 * Runs one QM calculation: template -> inputs in a fresh work directory -> the code, launched per the
 * profile without a shell, in its own process group -> outputs or a classified failure, with
 * provenance (version, host, input hash, wall/CPU time, peak memory, output tails).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { GroupUsage, gnuTime, LEADER_SAMPLE_MS, readRusage, underGnuTime } from './accounting.js';
import { endGroup, terminateGroup, trackGroup } from './process-group.js';
import { codeVersion, MissingBinaryError, resolveBinary } from './profile.js';
import type {
  CalcFailure,
  CalcInputs,
  CalcOutputs,
  CalcSpec,
  Profile,
  QmSystem,
  QmTemplate,
} from './template.js';
import { isPlainFileName, lockWorkDir, prepareWorkDir, readWorkFile, saveOutput } from './work-dir.js';

export { parseRusage } from './accounting.js';

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
  /** The code's version when the caller knows it (codes without `--version` have their own probe). */
  codeVersion?: string;
}

export interface Provenance {
  code: string;
  codeVersion: string;
  host: string;
  /** sha256 of the canonical inputs (argv, env, files); also the work directory's name. */
  inputHash: string;
  /** The inputs themselves (files, argv, env), so a stored result says exactly what ran. */
  inputs?: CalcInputs;
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
/** setTimeout fires at once for delays beyond 2^31-1 ms (24.8 days); longer limits are capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const TAIL_LINES = 40;
const TAIL_CHARS = 4_000;

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

export async function runCalculation<S extends QmSystem>(
  template: QmTemplate<S>,
  profile: Profile,
  spec: CalcSpec,
  system: S,
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
    inputs = template.write(spec, system);
    const bad = Object.keys(inputs.files).find((name) => !isPlainFileName(name));
    if (bad !== undefined) throw new Error(`input file name "${bad}" is not a plain file name`);
  } catch (e) {
    return done(fail('invalid-input', (e as Error).message));
  }
  provenance.inputHash = hashInputs(template.code, inputs);
  provenance.inputs = inputs;
  provenance.workDir = join(opts.workRoot, provenance.inputHash);

  let binary: string;
  try {
    binary = await resolveBinary(profile.binary);
    provenance.codeVersion = opts.codeVersion ?? (await codeVersion(profile.binary));
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

/** Prepares the work directory, runs the code, accounts for it and parses its output; fills in `provenance`. */
async function execute(
  template: Pick<QmTemplate<QmSystem>, 'code' | 'parse'>,
  profile: Profile,
  binary: string,
  inputs: CalcInputs,
  provenance: Provenance,
  opts: RunOptions,
): Promise<CalcOutputs | CalcFailure> {
  const workDir = provenance.workDir;
  await prepareWorkDir(workDir, inputs.files);

  const threads = String(profile.threads);
  // threads everywhere by default; a profile may say otherwise (Elk: OpenMP threads, one BLAS thread each)
  const env = {
    OMP_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
    ...inputs.env,
    ...profile.env,
  };
  const timeBinary = await gnuTime();
  const rusageFile = join(workDir, '.cascade-rusage');
  const [file, args] = timeBinary
    ? underGnuTime(timeBinary, rusageFile, binary, inputs.argv)
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
  if (pgid !== undefined) trackGroup(pgid);

  const result = await child;
  clearTimeout(timer);
  clearInterval(ticker);
  clearInterval(fastTicker);
  opts.signal?.removeEventListener('abort', onAbort);
  provenance.wallSeconds = elapsed();
  await stopping;
  // Descendants that outlived the leader (daemonised helpers, MPI ranks) are ended too.
  if (pgid !== undefined) await endGroup(pgid);

  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  // Kept beside the code's own files for post-mortems; provenance carries only the tails.
  await saveOutput(workDir, stdout, stderr);
  provenance.stdoutTail = tail(stdout);
  provenance.stderrTail = tail(stderr);
  provenance.exitCode = result.exitCode ?? null;
  if (result.signal) provenance.signal = result.signal;
  const report = timeBinary ? await readRusage(rusageFile) : undefined;
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
