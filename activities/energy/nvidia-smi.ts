/**
 * GPU names and board power from nvidia-smi (NVML underneath):
 *   nvidia-smi --query-gpu=name,power.draw --format=csv,noheader,nounits
 * prints one line per GPU, "NVIDIA H200, 123.45" (watts; "[N/A]" where the board reports none). Whether
 * nvidia-smi works is found out once per binary and process (the first query, whose names also name the
 * hardware): a machine without it spawns nothing more.
 */
import { execa } from 'execa';
import type { GpuPower } from '../../lib/energy/snapshot.js';

export const NVIDIA_SMI_ARGS: readonly string[] = [
  '--query-gpu=name,power.draw',
  '--format=csv,noheader,nounits',
];

/** nvidia-smi can stall for seconds while the driver initialises; longer than this is a broken one. */
const TIMEOUT_MS = 15_000;

/** One entry per GPU line; a power that is not a number is left undefined. */
export function parseNvidiaSmi(csv: string): GpuPower[] {
  const gpus: GpuPower[] = [];
  for (const line of csv.split('\n')) {
    const comma = line.lastIndexOf(',');
    if (comma < 0) continue;
    const name = line.slice(0, comma).trim();
    const power = line.slice(comma + 1).trim();
    const watts = /^\d+(\.\d+)?$/.test(power) ? Number(power) : undefined;
    if (name) gpus.push(watts === undefined ? { name } : { name, watts });
  }
  return gpus;
}

/** The GPUs as they read now; undefined when nvidia-smi is absent, fails or lists none. */
export async function queryGpus(binary: string): Promise<GpuPower[] | undefined> {
  const r = await execa(binary, [...NVIDIA_SMI_ARGS], {
    reject: false,
    stdin: 'ignore',
    timeout: TIMEOUT_MS,
  });
  if (r.failed) return undefined;
  const gpus = parseNvidiaSmi(String(r.stdout));
  return gpus.length > 0 ? gpus : undefined;
}

const firstQueries = new Map<string, Promise<GpuPower[] | undefined>>();

/** The first query of this binary in this process: what says whether it works, and the GPUs' names. */
export function firstGpuQuery(binary: string): Promise<GpuPower[] | undefined> {
  let q = firstQueries.get(binary);
  if (!q) {
    q = queryGpus(binary).catch(() => undefined);
    firstQueries.set(binary, q);
  }
  return q;
}

/** The GPUs' power now; empty when nvidia-smi did not work the first time, or fails now. Never throws. */
export async function readGpuPower(binary: string): Promise<GpuPower[]> {
  if (!firstQueries.has(binary)) return (await firstGpuQuery(binary)) ?? []; // the first query is a reading
  if (!(await firstGpuQuery(binary))) return [];
  return (await queryGpus(binary).catch(() => undefined)) ?? [];
}

/** Forgets what was found out about each binary (tests that swap fake executables). */
export function forgetNvidiaSmi(): void {
  firstQueries.clear();
}
