/**
 * Usage: the resources one piece of work used, carried by every result (as Colmena's Result carries its
 * timings) and recorded in the ledger for every activity. Energy always says how it was obtained.
 */

export interface Usage {
  wallSeconds: number;
  cpuSeconds: number;
  gpuSeconds: number;
  /** Peak resident memory of the work's processes, when known. */
  peakMemoryBytes?: number;
  /** Joules, and how they were obtained (a measurement's source, or the model and its constants). */
  energyJoules: number;
  energyMethod: string;
  /** The figures the energy was computed with (W per core, PUE, the share of a RAPL domain, ...). */
  energyConstants?: Readonly<Record<string, number | string>>;
  /** The hardware it ran on, e.g. "AMD EPYC 7B13 (2 logical CPUs)". */
  hardware?: string;
}

/** What a cache hit or skipped work costs. */
export const NO_USAGE: Usage = Object.freeze({
  wallSeconds: 0,
  cpuSeconds: 0,
  gpuSeconds: 0,
  energyJoules: 0,
  energyMethod: 'none',
}) as Usage;

/** The sum of several usages; the energy method is kept when all agree, else they are listed. */
export function sumUsage(list: readonly Usage[]): Usage {
  if (list.length === 0) return { ...NO_USAGE };
  const methods = [...new Set(list.map((u) => u.energyMethod).filter((m) => m !== 'none'))];
  const peaks = list.flatMap((u) => (u.peakMemoryBytes === undefined ? [] : [u.peakMemoryBytes]));
  return {
    wallSeconds: list.reduce((a, u) => a + u.wallSeconds, 0),
    cpuSeconds: list.reduce((a, u) => a + u.cpuSeconds, 0),
    gpuSeconds: list.reduce((a, u) => a + u.gpuSeconds, 0),
    ...(peaks.length > 0 ? { peakMemoryBytes: Math.max(...peaks) } : {}),
    energyJoules: list.reduce((a, u) => a + u.energyJoules, 0),
    energyMethod: methods.length === 0 ? 'none' : methods.join(' + '),
  };
}
