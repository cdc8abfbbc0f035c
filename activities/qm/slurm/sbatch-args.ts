/** The sbatch command line of one calculation, and what sbatch answers; pure. */
import type { SlurmSettings } from '../../../lib/campaign/slurm-schema.js';

export interface JobShape {
  /** The job's name: lets a later attempt find the job an earlier worker left behind (submit.ts). */
  name: string;
  workDir: string;
  script: string;
  /** Where Slurm writes the script's own output. */
  slurmOutput: string;
  /** The tier's threads: CPUs per task unless the settings say. */
  threads: number;
  /** The tier's time limit: the job's, plus a minute, unless the settings say. */
  timeoutSeconds: number;
}

/** Slurm's time limit for a calculation limited to `seconds`: whole minutes, a minute to spare. */
export function jobMinutes(seconds: number): number {
  return Math.ceil(seconds / 60) + 1;
}

export function sbatchArgs(s: SlurmSettings, job: JobShape): string[] {
  return [
    '--parsable',
    `--job-name=${job.name}`,
    `--chdir=${job.workDir}`,
    `--output=${job.slurmOutput}`,
    // a requeued job would write into a work directory that the next attempt has already emptied
    '--no-requeue',
    `--nodes=${s.nodes}`,
    `--ntasks=${s.ntasks}`,
    `--cpus-per-task=${s.cpusPerTask ?? job.threads}`,
    `--time=${s.timeLimit ?? jobMinutes(job.timeoutSeconds)}`,
    ...(s.partition !== undefined ? [`--partition=${s.partition}`] : []),
    ...(s.account !== undefined ? [`--account=${s.account}`] : []),
    ...(s.memory !== undefined ? [`--mem=${s.memory}`] : []),
    ...s.extraArgs,
    job.script,
  ];
}

/** The job id in `sbatch --parsable`'s answer ("123", or "123;cluster" on a multi-cluster site). */
export function submittedJobId(stdout: string): string | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  return /^(\d+)(;\S+)?$/.exec(line.trim())?.[1];
}
