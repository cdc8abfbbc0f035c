/**
 * A calculation as a Slurm batch job: the same binary, argv and environment a local run would get, submitted with
 * sbatch (./submit.ts), followed with squeue (./queue-watch.ts) while the runner's progress ticker keeps the
 * activity heartbeating, cancelled with scancel (./cancel.ts) on abort or time limit, and read back from the work
 * directory and Slurm's accounting (./job-end.ts). It is a RunningCode like a local one: the runner parses its
 * outputs and the cache stores the result as a local run's.
 */
import { join } from 'node:path';
import { gnuTime, underGnuTime } from '../accounting.js';
import { type CodeStart, lastLineOf, type RunningCode, STDERR_FILE, STDOUT_FILE } from '../code-process.js';
import { cancelJob } from './cancel.js';
import { followJob, type JobFollow } from './follow.js';
import { jobEnd } from './job-end.js';
import { queueError } from './queue-watch.js';
import { type JobRequest, submit } from './submit.js';

export { SlurmError } from './commands.js';
export type { SlurmJobRecord } from './job-record.js';
export type { JobRequest } from './submit.js';
export { slurmJobUsage } from './usage.js';

const RUSAGE_FILE = '.cascade-rusage';

export async function submitJob(req: CodeStart, job: JobRequest): Promise<RunningCode> {
  const stdoutFile = join(req.cwd, STDOUT_FILE);
  const stderrFile = join(req.cwd, STDERR_FILE);
  // GNU time as the worker has it: on a cluster the nodes run the same image as the login node
  const timeBinary = await gnuTime();
  const rusageFile = timeBinary ? join(req.cwd, RUSAGE_FILE) : undefined;
  const command =
    timeBinary && rusageFile
      ? underGnuTime(timeBinary, rusageFile, req.binary, req.argv).flat()
      : [req.binary, ...req.argv];
  const jobId = await submit(req, job, command, { stdoutFile, stderrFile });
  const follow = followJob(jobId, job.slurm.pollSeconds * 1000);
  return {
    pid: undefined,
    exactUsage: true,
    started: follow.started,
    cancel: () => cancelJob(follow, job.slurm.requestedBy),
    lastLine: async () => (await lastLineOf(stdoutFile)) ?? queueLine(follow),
    ended: follow.ended.then((final) =>
      jobEnd(jobId, final, { workDir: req.cwd, stdoutFile, stderrFile, ...(rusageFile && { rusageFile }) }),
    ),
  };
}

/** Where the job is, for progress lines while the code has printed nothing. */
function queueLine(follow: JobFollow): string {
  const problem = queueError();
  const entry = follow.current();
  const state = entry
    ? `${entry.state}${entry.reason && entry.reason !== 'None' ? ` (${entry.reason})` : ''}`
    : 'submitted';
  return `Slurm job ${follow.jobId}: ${problem ?? state}`;
}
