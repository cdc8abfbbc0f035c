/**
 * Submitting one calculation: Slurm's commands are found first (a missing one is an error that names the tier
 * and what to install, before anything is written or run), a job an earlier worker left for the same work
 * directory is cancelled, the batch script is written into the work directory, and sbatch is asked to run it;
 * a job sbatch refuses is an error with sbatch's own message.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SlurmProfile } from '../../../lib/campaign/slurm-schema.js';
import { codeEnvironment } from '../../../qm/environment.js';
import type { CodeStart } from '../code-process.js';
import { batchScript, SCRIPT_FILE, SLURM_OUTPUT_FILE } from './batch-script.js';
import { cancelLeftBehind } from './cancel.js';
import { asker, runSlurm, SlurmError, sbatchVariables, slurmCommand } from './commands.js';
import { sbatchArgs, submittedJobId } from './sbatch-args.js';

export interface JobRequest {
  slurm: SlurmProfile;
  /** The calculation's threads (the job's CPUs per task unless the settings say). */
  threads: number;
  /** The calculation's time limit (the job's, plus a minute, unless the settings say). */
  timeoutSeconds: number;
}

/** A job name that is the same for every attempt on one work directory, and differs between directories. */
export function jobName(workDir: string): string {
  return `cascade-${createHash('sha256').update(workDir).digest('hex').slice(0, 16)}`;
}

/** Submits `command` (the code, under GNU time or not) as a batch job; returns the job id. */
export async function submit(
  req: CodeStart,
  job: JobRequest,
  command: readonly string[],
  outputs: { stdoutFile: string; stderrFile: string },
): Promise<string> {
  const who = job.slurm.requestedBy;
  const sbatch = await slurmCommand('sbatch', who);
  // the commands that follow and cancel the job are checked now too, not when they are first needed
  await slurmCommand('squeue', who);
  await slurmCommand('scancel', who);
  const name = jobName(req.cwd);
  await cancelLeftBehind(name);
  const script = join(req.cwd, SCRIPT_FILE);
  await writeFile(script, batchScript({ workDir: req.cwd, command, env: req.env, ...outputs }), {
    mode: 0o755,
  });
  const args = sbatchArgs(job.slurm, {
    name,
    workDir: req.cwd,
    script,
    slurmOutput: join(req.cwd, SLURM_OUTPUT_FILE),
    threads: job.threads,
    timeoutSeconds: job.timeoutSeconds,
  });
  // sbatch hands its environment to the job (--export=ALL by default): the code's, never the worker's secrets
  const r = await runSlurm(sbatch, args, { ...codeEnvironment(req.env), ...sbatchVariables() });
  const jobId = r.exitCode === 0 ? submittedJobId(r.stdout) : undefined;
  if (jobId === undefined) {
    const said = [r.stderr.trim(), r.exitCode === 0 ? r.stdout.trim() : ''].filter(Boolean).join('\n');
    throw new SlurmError(
      `${asker(who)}: sbatch refused the job (${r.exitCode === undefined ? r.failure : `exit ${r.exitCode}`}): ${said || 'no message'}`,
    );
  }
  return jobId;
}
