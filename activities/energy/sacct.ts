/**
 * A Slurm job's energy, CPU time and peak memory from its accounting record:
 *   sacct -j <id> --noheader --parsable2 --format=JobID,ConsumedEnergyRaw,TotalCPU,MaxRSS,Elapsed
 * One line for the job ("123"), one per step ("123.batch", "123.extern", "123.0"), fields split by "|".
 * ConsumedEnergyRaw is joules from the cluster's acct_gather_energy plugin (RAPL, IPMI, ...), empty or 0 where
 * none is configured; TotalCPU and Elapsed are "[D-][HH:]MM:SS[.fff]"; MaxRSS is per step, "1234K", "12M",
 * "1.5G" (powers of 1024).
 *
 * The job's figures: its own line's CPU time (Slurm sums its steps there; the steps' sum where that is
 * larger), the largest step's MaxRSS, the job line's energy, else the largest step's (the job line reads 0
 * when only the steps carry it; the batch and extern steps span the whole job and steps overlap, so a sum
 * would count the same watts twice). A cluster without slurmdbd answers "Slurm accounting storage is
 * disabled": that, a missing sacct and an unknown job come back as
 * `available: false` with the reason, for the caller to fall back on the model.
 */
import { execa } from 'execa';
import type { EnergySettings } from './settings.js';
import { energySettings } from './settings.js';

export const SACCT_FORMAT = 'JobID,ConsumedEnergyRaw,TotalCPU,MaxRSS,Elapsed';

export const sacctArgs = (jobId: string): string[] => [
  '-j',
  jobId,
  '--noheader',
  '--parsable2',
  `--format=${SACCT_FORMAT}`,
];

export type SacctEnergy =
  | {
      available: true;
      method: 'sacct';
      jobId: string;
      /** Absent when the cluster records no energy. */
      joules?: number;
      cpuSeconds: number;
      maxRssBytes: number;
      wallSeconds?: number;
    }
  | { available: false; method: 'sacct'; jobId: string; reason: string };

/** Seconds of a Slurm duration, "[D-][HH:]MM:SS[.fff]" (or "D-HH[:MM[:SS]]"); undefined when not one. */
export function parseSlurmDuration(text: string): number | undefined {
  const m = /^(?:(\d+)-)?(\d+(?::\d+){0,2}(?:\.\d+)?)$/.exec(text.trim());
  if (!m?.[2]) return undefined;
  const parts = m[2].split(':').map(Number);
  // with days the fields run from hours; without, from seconds backwards (SS, MM:SS, HH:MM:SS)
  const [h, min, s] = m[1] !== undefined ? [...parts, 0, 0] : [...Array(3 - parts.length).fill(0), ...parts];
  return Number(m[1] ?? 0) * 86_400 + (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0);
}

const UNIT = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 } as const;

/** Bytes of a Slurm memory figure ("1234K", "12M", "1.5G", "0"); undefined when empty or not one. */
export function parseSlurmBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  return Math.round(Number(m[1]) * UNIT[(m[2] ?? '') as keyof typeof UNIT]);
}

interface Line {
  id: string;
  joules?: number;
  cpuSeconds?: number;
  maxRssBytes?: number;
  wallSeconds?: number;
}

function parseLine(line: string): Line | undefined {
  const [id, energy, cpu, rss, elapsed] = line.split('|');
  if (!id || elapsed === undefined) return undefined;
  const joules = Number(energy);
  const cpuSeconds = parseSlurmDuration(cpu ?? '');
  const maxRssBytes = parseSlurmBytes(rss ?? '');
  const wallSeconds = parseSlurmDuration(elapsed);
  return {
    id: id.trim(),
    ...(energy?.trim() && Number.isFinite(joules) && joules > 0 ? { joules } : {}),
    ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
    ...(maxRssBytes !== undefined ? { maxRssBytes } : {}),
    ...(wallSeconds !== undefined ? { wallSeconds } : {}),
  };
}

const DISABLED = /Slurm accounting storage is disabled/i;

/** The job's figures from sacct's output (stdout and stderr together). */
export function parseSacct(output: string, jobId: string): SacctEnergy {
  if (DISABLED.test(output)) {
    return { available: false, method: 'sacct', jobId, reason: 'Slurm accounting storage is disabled' };
  }
  const lines = output
    .split('\n')
    .map(parseLine)
    .filter((l): l is Line => l !== undefined && (l.id === jobId || l.id.startsWith(`${jobId}.`)));
  if (lines.length === 0) {
    return { available: false, method: 'sacct', jobId, reason: `sacct has no record of job ${jobId}` };
  }
  const job = lines.find((l) => l.id === jobId);
  const steps = lines.filter((l) => l !== job);
  const max = (xs: (number | undefined)[]) => Math.max(0, ...xs.filter((x): x is number => x !== undefined));
  const stepCpu = steps.reduce((s, l) => s + (l.cpuSeconds ?? 0), 0);
  const joules = job?.joules ?? (max(steps.map((l) => l.joules)) || undefined);
  const wallSeconds =
    job?.wallSeconds ?? (steps.length > 0 ? max(steps.map((l) => l.wallSeconds)) : undefined);
  return {
    available: true,
    method: 'sacct',
    jobId,
    ...(joules !== undefined ? { joules } : {}),
    cpuSeconds: Math.max(job?.cpuSeconds ?? 0, stepCpu),
    maxRssBytes: max(lines.map((l) => l.maxRssBytes)),
    ...(wallSeconds !== undefined ? { wallSeconds } : {}),
  };
}

/** Asks Slurm about a job; never throws (an unusable answer is `available: false` with the reason). */
export async function sacctEnergy(
  jobId: string,
  opts: { settings?: EnergySettings } = {},
): Promise<SacctEnergy> {
  const unavailable = (reason: string): SacctEnergy => ({ available: false, method: 'sacct', jobId, reason });
  let binary: string | undefined;
  try {
    binary = (opts.settings ?? energySettings()).sacct;
  } catch (e) {
    return unavailable((e as Error).message);
  }
  if (binary === undefined) return unavailable("sacct is turned off (CASCADE_SACCT='')");
  const r = await execa(binary, sacctArgs(jobId), { reject: false, stdin: 'ignore', timeout: 60_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  if (DISABLED.test(output)) return parseSacct(output, jobId);
  if (r.exitCode === undefined) return unavailable(`cannot run ${binary}: ${r.shortMessage}`);
  if (r.failed)
    return unavailable(`${binary} exited with ${r.exitCode}: ${String(r.stderr).trim() || r.shortMessage}`);
  return parseSacct(String(r.stdout), jobId);
}
