/**
 * How activities measure what they use and turn it into a Usage. Energy is modelled, not measured, until the
 * energy ledger lands: CPU time times a per-core power (`CASCADE_WATTS_PER_CORE`, default 12 W: a server core
 * under load, as Green Algorithms assumes when the model is unknown). The method travels with every figure, so
 * a measured one can replace it without ambiguity.
 */
import type { Usage } from '../lib/domain/usage.js';
import { openCpuScope } from './process-cpu.js';

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
 * Starts measuring a piece of in-process work (RDKit, training threads, the store): wall time, the CPU this
 * process used meanwhile, shared with whatever in-process work ran beside it (./process-cpu.ts), and the
 * process's peak resident memory. The returned function ends the measurement and gives the Usage; calling it
 * again gives the same CPU figure. Prefer `measured`, which cannot leave a measurement open when work throws.
 */
export function measureProcess(): () => Usage {
  const wall0 = performance.now();
  const scope = openCpuScope();
  return () =>
    usageOf({
      wallSeconds: (performance.now() - wall0) / 1000,
      cpuSeconds: scope.close(),
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    });
}

/** Runs in-process work and measures it (see measureProcess); the measurement ends even when the work throws. */
export async function measured<T>(work: () => Promise<T>): Promise<{ value: T; usage: Usage }> {
  const stop = measureProcess();
  try {
    const value = await work();
    return { value, usage: stop() };
  } finally {
    stop();
  }
}
