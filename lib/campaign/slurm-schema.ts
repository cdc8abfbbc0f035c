/**
 * A tier's `slurm:` section: its calculations are submitted to Slurm with `sbatch` instead of run on the worker's
 * host, each as one batch job (activities/qm/slurm/). The worker stays on a login node and follows its jobs with
 * `squeue`; the job writes into the calculation's work directory, which must be on a filesystem the compute nodes
 * share (CASCADE_HOME). Part of the campaign schema (lib/campaign/schema.ts).
 */
import { z } from 'zod';

/** Options cascade sets itself for every job: giving them again would break how it follows the job. */
export const RESERVED_SBATCH_OPTIONS = [
  '--wrap',
  '--parsable',
  '--output',
  '-o',
  '--error',
  '-e',
  '--chdir',
  '-D',
  '--job-name',
  '-J',
  '--array',
  '-a',
  '--wait',
  '-W',
] as const;

/** The option an sbatch argument sets ("--output" of "--output=x", "-o" of "-ox"), if it is one. */
export function sbatchOptionOf(arg: string): string | undefined {
  if (arg.startsWith('--')) return arg.split('=')[0];
  if (/^-[A-Za-z]/.test(arg)) return arg.slice(0, 2);
  return undefined;
}

/** What is wrong with extra sbatch arguments, if anything. */
export function extraArgsProblem(args: readonly string[]): string | undefined {
  const first = args[0];
  if (first !== undefined && sbatchOptionOf(first) === undefined) {
    return `"${first}" is not an sbatch option: extraArgs are options such as --qos=debug or --constraint=avx2`;
  }
  const reserved = args
    .map(sbatchOptionOf)
    .find((o) => (RESERVED_SBATCH_OPTIONS as readonly string[]).includes(o ?? ''));
  return reserved === undefined
    ? undefined
    : `${reserved} is set by cascade for every job (it writes the job script and follows its output)`;
}

/** Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}(:\d{1,2}){0,2})$/;
/** A word sbatch takes as a partition, account or QOS name. */
const SLURM_NAME = /^[A-Za-z0-9_.+-]+$/;

export const SlurmSettings = z.strictObject({
  partition: z
    .string()
    .regex(SLURM_NAME, 'expected a partition name such as compute (several: compute,short)')
    .optional()
    .describe("Partition (sbatch --partition); default: the cluster's default partition"),
  account: z
    .string()
    .regex(SLURM_NAME, 'expected an account name such as chem-project')
    .optional()
    .describe('Account charged for the jobs (sbatch --account)'),
  timeLimit: z
    .string()
    .regex(SLURM_TIME, 'expected a Slurm time such as 90 (minutes), 1:30:00 or 1-00:00:00')
    .optional()
    .describe("The job's time limit (sbatch --time); default: the tier's timeoutSeconds plus a minute"),
  nodes: z.int().min(1).default(1).describe('Nodes per calculation (sbatch --nodes)'),
  ntasks: z.int().min(1).default(1).describe('Tasks per calculation (sbatch --ntasks)'),
  cpusPerTask: z
    .int()
    .min(1)
    .optional()
    .describe("CPUs per task (sbatch --cpus-per-task); default: the tier's threads"),
  memory: z
    .string()
    .regex(/^\d+[KMGT]?$/, 'expected a memory size such as 4000 (MB) or 16G')
    .optional()
    .describe('Memory per node (sbatch --mem), e.g. 16G'),
  extraArgs: z
    .array(z.string().min(1))
    .default([])
    .superRefine((args, ctx) => {
      const problem = extraArgsProblem(args);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('More sbatch options, one per item, e.g. ["--qos=short", "--constraint=avx2"]'),
  pollSeconds: z
    .number()
    .min(0.1)
    .max(600)
    .default(5)
    .describe("How often squeue is asked about the jobs (one query for all of a worker's jobs)"),
});

export type SlurmSettings = z.output<typeof SlurmSettings>;

/** How a calculation is submitted: a tier's settings, and the tier's name for the messages a user reads. */
export interface SlurmProfile extends SlurmSettings {
  /** Who asked for Slurm, e.g. 'tier "dft"'; errors name it. */
  requestedBy?: string;
}
