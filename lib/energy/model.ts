/**
 * The energy model used where nothing measures it, after Green Algorithms (Lannelongue et al., Adv. Sci. 2021)
 * and CodeCarbon:
 *
 *   joules = (cpuSeconds x W/core + memoryGB x 0.3725 W/GB x wallSeconds) x PUE
 *
 * - W/core: the CPU's TDP divided by its physical cores when its model name is in ./cpu-tdp.ts, else 12 W,
 *   Green Algorithms' per-core figure for an unknown CPU; CASCADE_WATTS_PER_CORE overrides both. CPU time
 *   counts logical CPUs, so with two hyperthreads busy on one core this over-counts (up to 2x): a bound on the
 *   safe side.
 * - 0.3725 W/GB: Green Algorithms' memory power, applied to the work's peak resident memory over its wall time.
 *   GB here is 10^9 bytes (SI, as Green Algorithms' "GB" is read); the 1 GiB alternative would be 7% more.
 * - PUE: the data centre's power usage effectiveness, 1.0 unless CASCADE_PUE says, as CodeCarbon defaults (a
 *   workstation has no cooling overhead to add; Green Algorithms' figure for an average data centre is 1.67).
 */
import { cpuSpec } from './cpu-tdp.js';
import type { Energy, Work } from './energy.js';

/** Green Algorithms' per-core power for a CPU it does not know. */
export const DEFAULT_WATTS_PER_CORE = 12;
/** Green Algorithms' memory power, per GB of memory. */
export const MEMORY_WATTS_PER_GB = 0.3725;
/** The model's GB: SI. */
export const BYTES_PER_GB = 1e9;
export const DEFAULT_PUE = 1;

export interface ModelConstants {
  /** /proc/cpuinfo's "model name", looked up in the TDP table. */
  cpuModel?: string;
  /** CASCADE_WATTS_PER_CORE: replaces the table and the default. */
  wattsPerCore?: number;
  /** Power usage effectiveness; default 1. */
  pue?: number;
  /** How the hardware is named in the result; default the CPU model, else "unknown CPU". */
  hardware?: string;
}

export interface CorePower {
  wattsPerCore: number;
  /** Where the figure came from, in words, for the ledger. */
  source: string;
  tdpWatts?: number;
  cores?: number;
}

/** Watts per busy core: the override, else the TDP table, else Green Algorithms' 12 W. */
export function corePower(cpuModel: string | undefined, override?: number): CorePower {
  if (override !== undefined) return { wattsPerCore: override, source: 'CASCADE_WATTS_PER_CORE' };
  const spec = cpuModel === undefined ? undefined : cpuSpec(cpuModel);
  if (spec) {
    return {
      wattsPerCore: spec.tdpWatts / spec.cores,
      source: `TDP of ${spec.name} / its cores (vendor spec sheet)`,
      tdpWatts: spec.tdpWatts,
      cores: spec.cores,
    };
  }
  return { wattsPerCore: DEFAULT_WATTS_PER_CORE, source: 'Green Algorithms default for an unknown CPU' };
}

/** The model's joules for this work, PUE included. */
export function modelledEnergy(work: Work, constants: ModelConstants = {}): Energy {
  const power = corePower(constants.cpuModel, constants.wattsPerCore);
  const pue = constants.pue ?? DEFAULT_PUE;
  const memoryGB = (work.peakMemoryBytes ?? 0) / BYTES_PER_GB;
  const cpuJoules = work.cpuSeconds * power.wattsPerCore;
  const memoryJoules = memoryGB * MEMORY_WATTS_PER_GB * work.wallSeconds;
  return {
    joules: (cpuJoules + memoryJoules) * pue,
    method: 'model',
    constants: {
      wattsPerCore: power.wattsPerCore,
      wattsPerCoreSource: power.source,
      ...(power.tdpWatts !== undefined ? { tdpWatts: power.tdpWatts } : {}),
      ...(power.cores !== undefined ? { cores: power.cores } : {}),
      memoryWattsPerGB: MEMORY_WATTS_PER_GB,
      memoryGB,
      pue,
    },
    hardware: constants.hardware ?? constants.cpuModel ?? 'unknown CPU',
  };
}
