/**
 * What squeue says about jobs, asked for many at once (`squeue --noheader --states=all --jobs=1,2,3
 * --format=%i|%T|%N|%r`: id, state, nodes, reason), and what its states mean for a calculation; the parsing is pure.
 * A job that ended stays in squeue's answer for MinJobAge (300 s by default) with its final state, then it is
 * gone: squeue leaves it out, or answers "Invalid job id specified" when it was the only one asked about.
 */

export const SQUEUE_FORMAT = '%i|%T|%N|%r';

export interface QueueEntry {
  jobId: string;
  /** PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, ... */
  state: string;
  /** The nodes it runs or ran on ('' while it waits). */
  nodes: string;
  /** Why it waits or ended as it did (Priority, Resources, NonZeroExitCode, None, ...). */
  reason: string;
}

export const squeueArgs = (jobIds: readonly string[]): string[] => [
  '--noheader',
  '--states=all',
  `--jobs=${jobIds.join(',')}`,
  `--format=${SQUEUE_FORMAT}`,
];

/** The lines of squeue's answer, by job id. */
export function parseSqueue(stdout: string): Map<string, QueueEntry> {
  const jobs = new Map<string, QueueEntry>();
  for (const line of stdout.split('\n')) {
    const [jobId, state, nodes, ...reason] = line.trim().split('|');
    if (!jobId || !state || nodes === undefined || !/^\d+$/.test(jobId)) continue;
    jobs.set(jobId, { jobId, state, nodes, reason: reason.join('|') });
  }
  return jobs;
}

/** squeue's error when none of the jobs asked about is known any more. */
export const NO_SUCH_JOBS = /Invalid job id specified/i;

/** States in which a job has not started to run yet. */
const WAITING = new Set([
  'PENDING',
  'CONFIGURING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
]);
/** States of a job that has started and is not over yet. */
const UNDER_WAY = new Set([
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
  'RESIZING',
]);

/** Whether the job is over (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...): every state neither waiting nor under way. */
export const hasEnded = (state: string): boolean => !WAITING.has(state) && !UNDER_WAY.has(state);

/** Whether the job has started to run (under way, or over). */
export const hasStarted = (state: string): boolean => !WAITING.has(state);

/**
 * The failure a final state is, when the job's own report is missing (the code never finished): its kind for
 * the runner and a message a user can act on; undefined for states that say nothing more than the exit status.
 */
export function finalStateFailure(
  jobId: string,
  entry: Pick<QueueEntry, 'state' | 'reason'>,
): { kind: 'timeout' | 'killed'; message: string } | undefined {
  const { state } = entry;
  const reason = entry.reason && entry.reason !== 'None' ? ` (${entry.reason})` : '';
  switch (state) {
    case 'TIMEOUT':
    case 'DEADLINE':
      return { kind: 'timeout', message: `Slurm job ${jobId} reached its time limit and was ended${reason}` };
    case 'CANCELLED':
      return { kind: 'killed', message: `Slurm job ${jobId} was cancelled outside cascade${reason}` };
    case 'OUT_OF_MEMORY':
      return {
        kind: 'killed',
        message: `Slurm job ${jobId} ran out of memory (raise the tier's slurm.memory)${reason}`,
      };
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'PREEMPTED':
      return { kind: 'killed', message: `Slurm job ${jobId} ended ${state}${reason}` };
    default:
      return undefined;
  }
}
