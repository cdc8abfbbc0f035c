/**
 * The energy of one piece of work, always with how it was obtained: the method, the figures it used and the
 * hardware it ran on, so that a reader of the ledger can tell a measurement from a model and redo the sum.
 */
import type { Usage } from '../domain/usage.js';

/** What a piece of work used, measured elsewhere (the runner, a CPU scope, Slurm). */
export interface Work {
  cpuSeconds: number;
  wallSeconds: number;
  peakMemoryBytes?: number;
  /** GPU busy time; 0 or absent for CPU-only work. */
  gpuSeconds?: number;
}

/**
 * How the joules were obtained. `rapl`: the CPU package (and DRAM) counters, shared by CPU time;
 * `rapl+nvml`: that plus the GPU's power from nvidia-smi (NVML underneath); `nvml+model`: the GPU measured,
 * the CPU and memory modelled; `sacct`: Slurm's own energy accounting; `model`: the model alone.
 */
export type EnergyMethod = 'rapl' | 'rapl+nvml' | 'nvml+model' | 'sacct' | 'model';

export interface Energy {
  joules: number;
  method: EnergyMethod;
  /** Every figure the joules were computed with (W/core, TDP, cores, W/GB, PUE, share, RAPL domains, ...). */
  constants: Record<string, number | string>;
  /** E.g. "AMD EPYC 7763 64-Core Processor (128 logical CPUs) + NVIDIA H200". */
  hardware: string;
}

/** The fields of a Usage that carry an Energy. */
export function usageEnergy(
  e: Energy,
): Pick<Usage, 'energyJoules' | 'energyMethod' | 'energyConstants' | 'hardware'> {
  return {
    energyJoules: e.joules,
    energyMethod: e.method,
    energyConstants: e.constants,
    hardware: e.hardware,
  };
}
