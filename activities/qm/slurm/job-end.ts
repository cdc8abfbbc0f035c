/**
 * How a calculation's job ended, read back once it has left the running states: the exit status and run time
 * from the job's own report (./batch-script.ts), stdout and stderr from the work directory, and the CPU time and
 * peak memory from Slurm's accounting when the cluster keeps it (sacct), else from GNU time's report in the work
 * directory. A job that ended without its report (cancelled, out of time or memory, a node that failed) is
 * the failure its final state says.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sacctEnergy } from '../../energy/sacct.js';
import { readRusage } from '../accounting.js';
import type { CodeEnd } from '../code-process.js';
import { readOutput } from '../code-process.js';
import { type JobReport, parseJobReport, REPORT_FILE, SLURM_OUTPUT_FILE } from './batch-script.js';
import type { FinalState } from './follow.js';
import type { SlurmJobRecord } from './job-record.js';
import { finalStateFailure } from './squeue.js';

export interface JobFiles {
  workDir: string;
  stdoutFile: string;
  stderrFile: string;
  /** GNU time's report, when the job ran under it. */
  rusageFile?: string;
}

/**
 * How long a finished job's report may take to show on the worker's host: on a shared filesystem (NFS) a file
 * written on a compute node can appear a few seconds late.
 */
export const REPORT_WAIT_MS = 15_000;

export async function jobEnd(
  jobId: string,
  final: FinalState,
  files: JobFiles,
  opts: { reportWaitMs?: number } = {},
): Promise<CodeEnd> {
  // only a job that ran to its end wrote a report worth waiting for
  const finished =
    final.lost === undefined && (final.gone || ['COMPLETED', 'FAILED'].includes(final.last?.state ?? ''));
  const report = await readReport(files.workDir, jobId, finished ? (opts.reportWaitMs ?? REPORT_WAIT_MS) : 0);
  const [out, err] = await Promise.all([readOutput(files.stdoutFile), readOutput(files.stderrFile)]);
  const outputs = {
    stdout: out.stdout,
    stderr: err.stdout,
    ...((out.tooMuchOutput || err.tooMuchOutput) && { tooMuchOutput: true }),
  };
  const record: SlurmJobRecord = {
    jobId,
    ...(final.last && { state: final.last.state }),
    ...(final.last?.nodes && { nodes: final.last.nodes }),
    figuresFrom: 'none',
  };
  const figures = await jobFigures(jobId, files, record);
  if (!report) {
    const failure = final.last && finalStateFailure(jobId, final.last);
    const lost = final.lost ?? (failure ? undefined : await noReport(jobId, final, files.workDir));
    return {
      exitCode: null,
      ...outputs,
      ...(figures && { usage: figures }),
      ...(lost !== undefined ? { lost } : failure && { stopped: failure }),
      slurm: record,
    };
  }
  const signal = files.rusageFile ? (await readRusage(files.rusageFile))?.signal : undefined;
  return {
    exitCode: signal ? null : report.exitStatus,
    ...(signal && { signal }),
    ...outputs,
    ...(report.wallSeconds !== undefined && { wallSeconds: report.wallSeconds }),
    ...(figures && { usage: figures }),
    slurm: record,
  };
}

/** The job's CPU and peak memory: sacct's when the cluster records them, else GNU time's; notes which in `record`. */
async function jobFigures(
  jobId: string,
  files: JobFiles,
  record: SlurmJobRecord,
): Promise<{ cpuSeconds: number; maxRssKb: number } | undefined> {
  const sacct = await sacctEnergy(jobId);
  if (sacct.available && (sacct.cpuSeconds > 0 || sacct.maxRssBytes > 0)) {
    record.figuresFrom = 'sacct';
    if (sacct.joules !== undefined) record.joules = sacct.joules;
    return { cpuSeconds: sacct.cpuSeconds, maxRssKb: Math.round(sacct.maxRssBytes / 1024) };
  }
  record.sacctUnavailable = sacct.available ? `sacct has no figures for job ${jobId} yet` : sacct.reason;
  const own = files.rusageFile ? await readRusage(files.rusageFile) : undefined;
  if (!own) return undefined;
  record.figuresFrom = 'job-report';
  return { cpuSeconds: own.cpuSeconds, maxRssKb: own.maxRssKb };
}

/** The job's report, when this job wrote it; tried again for `waitMs` while it is not there. */
async function readReport(workDir: string, jobId: string, waitMs: number): Promise<JobReport | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const report = parseJobReport(await readFile(join(workDir, REPORT_FILE), 'utf8').catch(() => ''));
    if (report?.jobId === jobId) return report;
    if (Date.now() >= until) return undefined;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Why a job that ended by itself left no report: what Slurm wrote, and the likeliest cause. */
async function noReport(jobId: string, final: FinalState, workDir: string): Promise<string> {
  const slurmOutput = (await readFile(join(workDir, SLURM_OUTPUT_FILE), 'utf8').catch(() => '')).trim();
  const state = final.last ? `ended ${final.last.state}` : 'ended';
  return (
    `Slurm job ${jobId} ${state} without the report its script writes at the end: is the work directory ` +
    `${workDir} on a filesystem the compute nodes share (CASCADE_HOME)?` +
    (slurmOutput ? ` Slurm's output: ${slurmOutput.slice(-1000)}` : '')
  );
}
