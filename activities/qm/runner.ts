/**
 * Runs one QM calculation: template -> inputs in a fresh work directory -> the code, launched per the
 * profile without a shell, in its own process group -> outputs or a classified failure, with
 * provenance (version, host, input hash, wall/CPU time, peak memory, output tails).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { codeVersion, MissingBinaryError, resolveBinary } from '../../qm/profile.js';
import type {
  CalcFailure,
  CalcInputs,
  CalcOutputs,
  CalcSpec,
  Profile,
  QmSystem,
  QmTemplate,
} from '../../qm/template.js';
import { GroupUsage, LEADER_SAMPLE_MS } from './accounting.js';
import { startCode } from './code-process.js';
import { endGroup, terminateGroup, trackGroup } from './process-group.js';
import { type SlurmJobRecord, submitJob } from './slurm/index.js';
import { isPlainFileName, lockWorkDir, prepareWorkDir, readWorkFile } from './work-dir.js';

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
  /** The Slurm job it ran as, when the profile submits to Slurm. */
  slurm?: SlurmJobRecord;
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

  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const start = { binary, argv: inputs.argv, cwd: workDir, env };
  const code = profile.slurm
    ? await submitJob(start, {
        slurm: profile.slurm,
        threads: profile.threads,
        timeoutSeconds: opts.timeoutMs / 1000,
      })
    : await startCode(start);
  const pgid = code.pid;

  const usage = new GroupUsage();
  let stopReason: 'timeout' | 'aborted' | undefined;
  let stopping: Promise<void> | undefined;
  // a batch job is cancelled where it runs; a local code's group is sampled, then signalled
  const kill =
    code.cancel ??
    (pgid === undefined ? undefined : () => usage.sample(pgid).then(() => terminateGroup(pgid)));
  const stop = (reason: 'timeout' | 'aborted') => {
    if (stopReason || !kill) return;
    stopReason = reason;
    stopping = kill();
  };
  const onAbort = () => stop('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop('aborted'); // aborted while the work directory was being prepared
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  // the time limit counts from the code's start: a batch job's from when it leaves the queue
  const armTimer = () => {
    if (!ended) timer = setTimeout(() => stop('timeout'), Math.min(opts.timeoutMs, MAX_TIMER_MS));
  };
  if (code.started) void code.started.then(armTimer);
  else armTimer();
  const ticker = setInterval(async () => {
    if (pgid !== undefined && !stopReason && !code.exactUsage) void usage.sample(pgid);
    try {
      const line = opts.onProgress ? await code.lastLine() : undefined;
      if (!ended) opts.onProgress?.({ elapsedSeconds: elapsed(), ...(line !== undefined && { line }) });
    } catch {
      // a failing progress sink must not take the calculation down
    }
  }, PROGRESS_INTERVAL_MS);
  // Without exact figures the leader's own counters are read often, so short runs are not reported as 0 s.
  const fastTicker =
    code.exactUsage || pgid === undefined
      ? undefined
      : setInterval(() => void usage.sampleLeader(pgid), LEADER_SAMPLE_MS);
  if (pgid !== undefined) trackGroup(pgid);

  const end = await code.ended;
  ended = true;
  clearTimeout(timer);
  clearInterval(ticker);
  clearInterval(fastTicker);
  opts.signal?.removeEventListener('abort', onAbort);
  provenance.wallSeconds = end.wallSeconds ?? elapsed();
  // the launcher went away while the code ran: it may still be running
  if (end.lost !== undefined && pgid !== undefined && !stopReason) stop('aborted');
  await stopping;
  // Descendants that outlived the leader (daemonised helpers, MPI ranks) are ended too.
  if (pgid !== undefined) await endGroup(pgid);

  provenance.stdoutTail = tail(end.stdout);
  provenance.stderrTail = tail(end.stderr);
  provenance.exitCode = end.exitCode;
  if (end.signal) provenance.signal = end.signal;
  if (end.slurm) provenance.slurm = end.slurm;
  // the exact figures, unless the /proc sample taken before a kill saw more (children not waited for)
  provenance.cpuSeconds = Math.max(end.usage?.cpuSeconds ?? 0, usage.cpuSeconds);
  const maxRssKb = Math.max(end.usage?.maxRssKb ?? 0, usage.maxRssKb ?? 0);
  if (maxRssKb > 0) provenance.maxRssKb = maxRssKb;

  if (end.lost !== undefined) return fail('killed', `${template.code} was lost: ${end.lost}`);
  if (stopReason === 'timeout') {
    return fail('timeout', `${template.code} exceeded its ${opts.timeoutMs} ms time limit and was killed`);
  }
  if (stopReason === 'aborted') return fail('killed', `${template.code} was cancelled and killed`);
  if (end.stopped) return fail(end.stopped.kind, `${template.code}: ${end.stopped.message}`);
  if (end.notStarted) {
    const { message, missingBinary } = end.notStarted;
    return fail(missingBinary ? 'missing-binary' : 'unknown', `could not start ${binary}: ${message}`);
  }
  if (end.tooMuchOutput) return fail('unknown', `${template.code} printed more than the output buffer holds`);
  try {
    return template.parse({
      files: (name) => readWorkFile(workDir, name),
      stdout: end.stdout,
      stderr: end.stderr,
      exitCode: provenance.exitCode,
    });
  } catch (e) {
    return fail('unknown', `could not parse ${template.code} output: ${(e as Error).message}`);
  }
}
