/**
 * Slurm's client commands as cascade runs them: found on PATH, run without a shell, with errors that say what
 * to install or fix. They talk to the cluster that SLURM_CONF names (else the site's /etc/slurm/slurm.conf).
 */
import { execa } from 'execa';
import { MissingBinaryError, resolveBinary } from '../../../qm/profile.js';

export type SlurmCommand = 'sbatch' | 'squeue' | 'scancel';

/** A Slurm problem that no retry of the same calculation can fix: the configuration must change. */
export class SlurmError extends Error {
  override name = 'SlurmError';
}

/** Who asked for Slurm, for messages: 'tier "dft"', or "this calculation". */
export const asker = (requestedBy: string | undefined): string => requestedBy ?? 'this calculation';

/** Absolute path of a Slurm command; a SlurmError naming the asker and what to install when it is missing. */
export async function slurmCommand(name: SlurmCommand, requestedBy?: string): Promise<string> {
  try {
    return await resolveBinary(name);
  } catch (e) {
    if (!(e instanceof MissingBinaryError)) throw e;
    throw new SlurmError(
      `${asker(requestedBy)} submits its calculations to Slurm, but ${name} is not on PATH ` +
        `(${process.env.PATH ?? ''}): install Slurm's client commands on the worker's host ` +
        '(Debian/Ubuntu: apt-get install slurm-client) or put their directory on the PATH of the worker, ' +
        "with SLURM_CONF naming the cluster's slurm.conf where it is not /etc/slurm/slurm.conf; " +
        'or remove the tier\'s "slurm:" section to run on the worker itself',
    );
  }
}

export interface CommandResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** execa's one-line account when it could not run or ended badly. */
  failure?: string;
}

/** Runs a Slurm command; never throws. Its environment is this process's unless `env` says otherwise. */
export async function runSlurm(
  binary: string,
  args: readonly string[],
  env?: Record<string, string>,
): Promise<CommandResult> {
  const r = await execa(binary, args, {
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
    ...(env && { env, extendEnv: false }),
  });
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    ...(r.failed && { failure: r.shortMessage }),
  };
}

/**
 * The variables of this process that sbatch reads as input: SLURM_CONF, SLURM_CLUSTERS and SBATCH_*. Not the
 * other SLURM_* ones: they describe the job a worker may itself run in, and would leak into its jobs.
 */
export function sbatchVariables(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && (/^SLURM_(CONF|CLUSTERS)$/.test(e[0]) || e[0].startsWith('SBATCH_')),
    ),
  );
}
