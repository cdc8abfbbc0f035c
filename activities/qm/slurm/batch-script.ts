/**
 * The batch script of one calculation: a POSIX sh script in the work directory that runs the same binary and argv
 * a local run would, with the code's own variables, its stdout and stderr in the files a local run leaves, under
 * GNU time where the worker has it (the job's own CPU and peak-memory report, for clusters without accounting),
 * and a last line that reports the job id, the exit status and when the code started and ended. Every word
 * that comes from outside is single-quoted, so no argument, path or value is ever read by the shell.
 */

export const REPORT_FILE = '.cascade-job-report';
export const SCRIPT_FILE = '.cascade-job.sh';
/** Where Slurm itself writes (the script's own output: nothing, unless the node cannot run it). */
export const SLURM_OUTPUT_FILE = '.cascade-slurm.out';

/** `word` as one sh word: single-quoted, each ' written as '\'' (the only character single quotes cannot hold). */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a NUL byte cannot be passed to a program');
  return `'${word.replaceAll("'", "'\\''")}'`;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface BatchScript {
  /** The work directory (the job also starts there: sbatch --chdir). */
  workDir: string;
  /** The command: the code's binary and argv, or GNU time's wrapping of them. */
  command: readonly string[];
  /** The code's own variables, exported before it runs (whatever the site's sbatch --export default is). */
  env: Readonly<Record<string, string>>;
  stdoutFile: string;
  stderrFile: string;
}

export function batchScript(s: BatchScript): string {
  if (s.command.length === 0) throw new Error('a batch script needs a command');
  const exports = Object.entries(s.env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => {
      if (!VARIABLE_NAME.test(name)) throw new Error(`"${name}" is not a valid environment variable name`);
      return `export ${name}=${shellQuote(value)}`;
    });
  return [
    '#!/bin/sh',
    '# One calculation, written by cascade (activities/qm/slurm/batch-script.ts); submitted with sbatch.',
    ...exports,
    `cd ${shellQuote(s.workDir)} || exit 111`,
    'started=$(date +%s.%N)',
    `${s.command.map(shellQuote).join(' ')} <'/dev/null' >${shellQuote(s.stdoutFile)} 2>${shellQuote(s.stderrFile)}`,
    'status=$?',
    'ended=$(date +%s.%N)',
    `printf 'job=%s exit=%s started=%s ended=%s\\n' "$SLURM_JOB_ID" "$status" "$started" "$ended" >${shellQuote(REPORT_FILE)}`,
    'exit "$status"',
    '',
  ].join('\n');
}

export interface JobReport {
  jobId: string;
  exitStatus: number;
  /** The code's own run time, without the time it waited in the queue. */
  wallSeconds?: number;
}

/** The report line the script writes last; undefined when it is not one (not written, or cut short). */
export function parseJobReport(text: string): JobReport | undefined {
  const m = /^job=(\S*) exit=(\d+) started=(\S+) ended=(\S+)$/m.exec(text);
  if (!m?.[1] || m[2] === undefined) return undefined;
  // `date +%s.%N` prints whole seconds followed by "%N" where date has no nanoseconds: keep the seconds
  const seconds = (t: string | undefined) => Number(/^\d+(\.\d+)?/.exec(t ?? '')?.[0] ?? Number.NaN);
  const wall = seconds(m[4]) - seconds(m[3]);
  return {
    jobId: m[1],
    exitStatus: Number(m[2]),
    ...(Number.isFinite(wall) && wall >= 0 && { wallSeconds: Math.round(wall * 1e6) / 1e6 }),
  };
}
