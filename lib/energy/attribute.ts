/**
 * From two snapshots to the energy of the work done between them, in this order:
 *
 * 1. RAPL, when both snapshots read the same package (and DRAM) zones and the machine's busy CPU time: the
 *    zones' joules in the interval times the work's share of the machine's busy CPU time, as Scaphandre
 *    attributes a host's power to its processes. The package counter covers cores and uncore; DRAM is counted
 *    only where the CPU exposes it (Intel servers; AMD exposes none, so its memory goes unmeasured).
 * 2. The GPU, when nvidia-smi read a power in either snapshot and the work used the GPU: the mean of the two
 *    readings times the work's wall time, times its share of the GPUs' time when there are several (one GPU
 *    busy for the whole wall time is 100%), added to the CPU part, measured or modelled.
 * 3. Otherwise the model (./model.ts).
 *
 * PUE multiplies the total: cooling and power conversion scale with everything the machine draws.
 */
import type { Energy, EnergyMethod, Work } from './energy.js';
import { DEFAULT_PUE, modelledEnergy } from './model.js';
import type { EnergySnapshot, GpuPower, RaplReading } from './snapshot.js';

const UJ_PER_J = 1e6;

export interface AttributionContext {
  /** /proc/cpuinfo's model name, for the model's TDP table. */
  cpuModel?: string;
  /** CASCADE_WATTS_PER_CORE. */
  wattsPerCore?: number;
  pue?: number;
  hardware: string;
}

/**
 * Microjoules a counter advanced from `before` to `after`, counting one wrap past `maxRangeUj` when it went
 * down; undefined when it went down and its range is unknown.
 */
export function counterDeltaUj(beforeUj: number, afterUj: number, maxRangeUj: number): number | undefined {
  if (afterUj >= beforeUj) return afterUj - beforeUj;
  if (!(maxRangeUj > beforeUj)) return undefined;
  return maxRangeUj - beforeUj + afterUj;
}

export interface RaplInterval {
  joules: number;
  /** The zones counted, e.g. "package-0 (intel-rapl:0), dram (intel-rapl:0:0)". */
  zones: string;
}

/** The joules of every zone read at both ends; undefined when none was, or one cannot be read as a counter. */
export function raplInterval(
  before: readonly RaplReading[],
  after: readonly RaplReading[],
): RaplInterval | undefined {
  let joules = 0;
  const zones: string[] = [];
  for (const b of before) {
    const a = after.find((r) => r.zone === b.zone);
    if (!a) continue;
    const uj = counterDeltaUj(b.energyUj, a.energyUj, b.maxEnergyRangeUj);
    if (uj === undefined) return undefined;
    joules += uj / UJ_PER_J;
    zones.push(`${b.name} (${b.zone})`);
  }
  return zones.length > 0 ? { joules, zones: zones.join(', ') } : undefined;
}

/**
 * The work's share of what the machine did: its CPU time over the machine's busy CPU time, within [0, 1].
 * /proc/stat ticks every 10 ms, so a short piece of work can exceed the machine's count: it then gets all.
 */
export function busyShare(cpuSeconds: number, busyCpuSeconds: number): number {
  if (!(cpuSeconds > 0)) return 0;
  if (!(busyCpuSeconds > 0)) return 1;
  return Math.min(1, cpuSeconds / busyCpuSeconds);
}

export interface GpuInterval {
  joules: number;
  /** Mean power of the GPUs read, summed, W. */
  watts: number;
  share: number;
  gpus: number;
}

/** The GPU part of the work's energy; undefined when the work used no GPU or no GPU reported a power. */
export function gpuInterval(
  before: readonly GpuPower[],
  after: readonly GpuPower[],
  work: Work,
): GpuInterval | undefined {
  const gpuSeconds = work.gpuSeconds ?? 0;
  if (!(gpuSeconds > 0)) return undefined;
  const count = Math.max(before.length, after.length);
  let watts = 0;
  let read = 0;
  for (let i = 0; i < count; i++) {
    const w = [before[i]?.watts, after[i]?.watts].filter(
      (x): x is number => x !== undefined && Number.isFinite(x),
    );
    if (w.length === 0) continue;
    watts += w.reduce((s, x) => s + x, 0) / w.length;
    read++;
  }
  if (read === 0) return undefined;
  const share = work.wallSeconds > 0 ? Math.min(1, gpuSeconds / (work.wallSeconds * read)) : 1;
  return { joules: watts * work.wallSeconds * share, watts, share, gpus: read };
}

/** The energy of `work`, done between `start` and `end`, by the first method the snapshots allow. */
export function attributeEnergy(
  start: EnergySnapshot,
  end: EnergySnapshot,
  work: Work,
  context: AttributionContext,
): Energy {
  const pue = context.pue ?? DEFAULT_PUE;
  const gpu = gpuInterval(start.gpus, end.gpus, work);
  const rapl = raplInterval(start.rapl, end.rapl);
  const busy =
    start.busyCpuSeconds !== undefined && end.busyCpuSeconds !== undefined
      ? end.busyCpuSeconds - start.busyCpuSeconds
      : undefined;
  const gpuConstants: Record<string, number | string> = gpu
    ? { gpuWatts: gpu.watts, gpuShare: gpu.share, gpus: gpu.gpus }
    : (work.gpuSeconds ?? 0) > 0
      ? { gpu: 'not measured (no power from nvidia-smi)' }
      : {};

  if (rapl && busy !== undefined) {
    const share = busyShare(work.cpuSeconds, busy);
    const cpuJoules = rapl.joules * share;
    const method: EnergyMethod = gpu ? 'rapl+nvml' : 'rapl';
    return {
      joules: (cpuJoules + (gpu?.joules ?? 0)) * pue,
      method,
      constants: {
        raplZones: rapl.zones,
        raplJoules: rapl.joules,
        busyCpuSeconds: busy,
        share,
        intervalSeconds: (end.atMs - start.atMs) / 1000,
        ...gpuConstants,
        pue,
      },
      hardware: context.hardware,
    };
  }

  const model = modelledEnergy(work, {
    ...(context.cpuModel !== undefined ? { cpuModel: context.cpuModel } : {}),
    ...(context.wattsPerCore !== undefined ? { wattsPerCore: context.wattsPerCore } : {}),
    pue: 1,
    hardware: context.hardware,
  });
  return {
    joules: (model.joules + (gpu?.joules ?? 0)) * pue,
    method: gpu ? 'nvml+model' : 'model',
    constants: { ...model.constants, ...gpuConstants, pue },
    hardware: context.hardware,
  };
}
