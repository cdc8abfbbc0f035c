/**
 * How activities measure what they use and turn it into a Usage. Energy is modelled, not measured, until the
 * energy ledger lands: CPU time times a per-core power (`CASCADE_WATTS_PER_CORE`, default 12 W: a server core
 * under load, as Green Algorithms assumes when the model is unknown). The method travels with every figure, so
 * a measured one can replace it without ambiguity.
 */
import type { Usage } from '../lib/domain/usage.js';

export function wattsPerCore(): number {
  const w = Number(process.env.CASCADE_WATTS_PER_CORE);
  return Number.isFinite(w) && w > 0 ? w : 12;
}

/** The energy attributed to this much CPU time (joules). */
export function estimatedJoules(cpuSeconds: number): number {
  return cpuSeconds * wattsPerCore();
}

/** A Usage from measured times, with its energy modelled from the CPU time. */
export function usageOf(t: {
  wallSeconds: number;
  cpuSeconds: number;
  gpuSeconds?: number;
  peakMemoryBytes?: number;
}): Usage {
  return {
    wallSeconds: t.wallSeconds,
    cpuSeconds: t.cpuSeconds,
    gpuSeconds: t.gpuSeconds ?? 0,
    ...(t.peakMemoryBytes !== undefined ? { peakMemoryBytes: t.peakMemoryBytes } : {}),
    energyJoules: estimatedJoules(t.cpuSeconds),
    energyMethod: `estimate: cpu-seconds x ${wattsPerCore()} W/core`,
  };
}

/**
 * Starts measuring this process (wall time, CPU time of all its threads, peak resident memory); the returned
 * function gives the Usage since the start. In-process work (RDKit, training threads) is measured this way.
 */
export function measureProcess(): () => Usage {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    return usageOf({
      wallSeconds: (performance.now() - wall0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    });
  };
}
