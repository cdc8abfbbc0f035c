/**
 * Starting a code and learning how it ended. Through the launcher (launcher.ts) when it is built: no fork of
 * this process, stdout and stderr written straight to files, exact CPU time and peak memory from wait4. Else
 * with execa from this process, under GNU time for the same figures where it is installed (accounting.ts).
 * Either way without a shell, with the code leading a new process group, with an allow-listed environment
 * (`codeEnvironment`), and with its full stdout and stderr left in the work directory as `.cascade-stdout` and
 * `.cascade-stderr`.
 */
import { readFileSync, statSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { codeEnvironment } from '../../qm/environment.js';
import { gnuTime, readRusage, underGnuTime } from './accounting.js';
import { LaunchError, launcher } from './launcher.js';
import type { SlurmJobRecord } from './slurm/job-record.js';
import { saveOutput } from './work-dir.js';

export interface CodeStart {
  /** Absolute path of the program. */
  binary: string;
  argv: readonly string[];
  /** The work directory. */
  cwd: string;
  /** The code's own variables (threads, the profile's env): added to the allow-listed part of this process's. */
  env: Record<string, string>;
}

export interface CodeEnd {
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  /** Wall time as the launcher measured it (from fork to reaping). */
  wallSeconds?: number;
  /** CPU (user + system) and peak memory of the code and the descendants it waited for, when known exactly. */
  usage?: { cpuSeconds: number; maxRssKb: number };
  /** The code could not be started. */
  notStarted?: { message: string; missingBinary: boolean };
  /** The code started, but how it ended is unknown (the launcher went away meanwhile). */
  lost?: string;
  /** It printed more than MAX_OUTPUT_BYTES; `stdout` then holds only the end of it. */
  tooMuchOutput?: boolean;
  /** It was ended where it ran, and that is the failure (a batch job's time limit, an operator's scancel). */
  stopped?: { kind: 'timeout' | 'killed'; message: string };
  /** The Slurm job it ran as (./slurm/). */
  slurm?: SlurmJobRecord;
}

export interface RunningCode {
  /** Pid of the code, which leads its own process group; undefined when it could not be started. */
  pid: number | undefined;
  /**
   * Whether a normal end carries exact `usage`; if not, the caller samples /proc meanwhile. (A killed run's
   * figures come from a /proc sample taken just before the kill in any case: GNU time dies with the group.)
   */
  exactUsage: boolean;
  /** The last non-empty line printed on stdout so far, for progress reports. */
  lastLine(): Promise<string | undefined>;
  ended: Promise<CodeEnd>;
  /** Resolves when the code starts, where that is later than now (a batch job waits in its queue first). */
  started?: Promise<void>;
  /** Ends a code that has no process group here (a batch job); `ended` resolves once it has ended. */
  cancel?: () => Promise<void>;
}

export const STDOUT_FILE = '.cascade-stdout';
export const STDERR_FILE = '.cascade-stderr';
/** More output than this is not read back (nor, without the launcher, buffered): the run fails. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Outputs up to this size are read synchronously. */
const SYNC_READ_BYTES = 1024 * 1024;
/** How much of the end of stdout is read for a progress line. */
const PROGRESS_TAIL_BYTES = 4096;

export async function startCode(req: CodeStart): Promise<RunningCode> {
  const l = launcher();
  if (l) {
    const stdoutFile = join(req.cwd, STDOUT_FILE);
    const stderrFile = join(req.cwd, STDERR_FILE);
    const launch = l.launch({
      ...req,
      env: codeEnvironment(req.env),
      stdoutFile,
      stderrFile,
    });
    try {
      const pid = await launch.pid;
      const outputs = async () => ({
        ...(await readOutput(stdoutFile)),
        stderr: (await readOutput(stderrFile)).stdout,
      });
      return {
        pid,
        exactUsage: true,
        lastLine: () => lastLineOf(stdoutFile),
        ended: launch.exit.then(
          async (x) => ({
            exitCode: x.exitCode,
            ...(x.signal !== undefined && { signal: x.signal }),
            wallSeconds: x.wallSeconds,
            usage: { cpuSeconds: x.cpuSeconds, maxRssKb: x.maxRssKb },
            ...(await outputs()),
          }),
          async (e: Error) => ({ exitCode: null, lost: e.message, ...(await outputs()) }),
        ),
      };
    } catch (e) {
      if (!(e instanceof LaunchError)) throw e;
      // the launcher died before starting it: this run goes the other way
      if (e.code !== 'launcher-exited') return notStarted(e.message, e.code === 'ENOENT');
    }
  }
  return startWithExeca(req);
}

function notStarted(message: string, missingBinary: boolean): RunningCode {
  return {
    pid: undefined,
    exactUsage: true,
    lastLine: async () => undefined,
    ended: Promise.resolve({
      exitCode: null,
      stdout: '',
      stderr: '',
      notStarted: { message, missingBinary },
    }),
  };
}

/**
 * A file the code wrote to, as text; only its end when it is larger than MAX_OUTPUT_BYTES. A small one is
 * read synchronously: cheaper than the round trips through libuv's thread pool an asynchronous read takes.
 */
export async function readOutput(file: string): Promise<{ stdout: string; tooMuchOutput?: boolean }> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { stdout: '' };
  }
  if (size <= SYNC_READ_BYTES) return { stdout: readFileSync(file, 'utf8') };
  if (size <= MAX_OUTPUT_BYTES) return { stdout: await readFile(file, 'utf8').catch(() => '') };
  return { stdout: await readEnd(file, size, 1024 * 1024), tooMuchOutput: true };
}

async function readEnd(file: string, size: number, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const n = Math.min(size, bytes);
    const buf = Buffer.alloc(n);
    await handle.read(buf, 0, n, size - n);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

export async function lastLineOf(file: string): Promise<string | undefined> {
  try {
    const { size } = await stat(file);
    const lines = (await readEnd(file, size, PROGRESS_TAIL_BYTES)).split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]?.trim();
      if (line) return line;
    }
  } catch {
    // not written yet
  }
  return undefined;
}

/** The code as a child of this process, through execa; under GNU time when it is there. */
async function startWithExeca(req: CodeStart): Promise<RunningCode> {
  const timeBinary = await gnuTime();
  const rusageFile = join(req.cwd, '.cascade-rusage');
  const [file, args] = timeBinary
    ? underGnuTime(timeBinary, rusageFile, req.binary, req.argv)
    : [req.binary, [...req.argv]];
  let lastLine: string | undefined;
  const child = execa(file, args, {
    cwd: req.cwd,
    env: codeEnvironment(req.env),
    extendEnv: false,
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
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  const ended = child.then(async (result): Promise<CodeEnd> => {
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (child.pid === undefined || (result.failed && result.exitCode === undefined && !result.signal)) {
      const message = (result.failed && result.shortMessage) || 'no process id';
      return {
        exitCode: null,
        stdout,
        stderr,
        notStarted: { message, missingBinary: /ENOENT/.test(message) },
      };
    }
    // Kept beside the code's own files for post-mortems; provenance carries only the tails.
    await saveOutput(req.cwd, stdout, stderr);
    const end: CodeEnd = {
      exitCode: result.exitCode ?? null,
      ...(result.signal && { signal: result.signal }),
      stdout,
      stderr,
      ...(result.isMaxBuffer && { tooMuchOutput: true }),
    };
    const report = timeBinary ? await readRusage(rusageFile) : undefined;
    if (report) {
      end.usage = { cpuSeconds: report.cpuSeconds, maxRssKb: report.maxRssKb };
      if (report.signal) {
        end.exitCode = null;
        end.signal = report.signal;
      }
    }
    return end;
  });
  return {
    pid: child.pid,
    exactUsage: timeBinary !== undefined,
    lastLine: async () => lastLine,
    ended,
  };
}
