/**
 * Ending jobs with scancel: a calculation's own job when it is cancelled or reaches its time limit, and the jobs
 * an earlier worker left behind for the same work directory (it died while its job ran: the job would go on
 * using the cluster for a result nobody waits for).
 */
import { runSlurm, slurmCommand } from './commands.js';
import type { JobFollow } from './follow.js';
import { askSoon } from './queue-watch.js';

/**
 * How long a cancelled job may take to leave the running states: Slurm signals it, waits KillWait (30 s by
 * default) and kills it; past this the calculation is reported as lost instead of waited for.
 */
export const CANCEL_WAIT_MS = 120_000;

/** Cancels the followed job; `follow.ended` resolves once Slurm has ended it (or the wait is given up). */
export async function cancelJob(follow: JobFollow, requestedBy?: string): Promise<void> {
  let problem: string;
  try {
    const r = await runSlurm(await slurmCommand('scancel', requestedBy), [follow.jobId]);
    problem =
      r.exitCode === 0
        ? `it was still in the queue ${CANCEL_WAIT_MS / 1000} s after scancel`
        : `scancel failed: ${r.stderr.trim() || r.failure}`;
  } catch (e) {
    problem = (e as Error).message;
  }
  askSoon();
  follow.deadline(CANCEL_WAIT_MS, `Slurm job ${follow.jobId} could not be seen to end: ${problem}`);
}

/** Cancels this user's queued or running jobs named `name`, left by a worker that died; never throws. */
export async function cancelLeftBehind(name: string): Promise<string[]> {
  try {
    const squeue = await slurmCommand('squeue');
    const r = await runSlurm(squeue, ['--noheader', '--me', `--name=${name}`, '--format=%i']);
    const ids = r.exitCode === 0 ? r.stdout.split(/\s+/).filter((id) => /^\d+$/.test(id)) : [];
    if (ids.length > 0) await runSlurm(await slurmCommand('scancel'), ids);
    return ids;
  } catch {
    return [];
  }
}
