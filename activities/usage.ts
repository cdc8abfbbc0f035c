/**
 * How activities measure what they use and turn it into a Usage whose energy says how it was obtained.
 *
 * Work that can be bracketed (a calculation, in-process work) takes an energy snapshot before it and is
 * attributed after it (activities/energy/: RAPL package and DRAM counters times the work's share of the
 * machine's busy CPU time where powercap is readable, the GPU through nvidia-smi, else the model). Figures
 * that come without a bracket (an evaluation read back from the store, the platform's lines) use the model of
 * lib/energy/model.ts: CPU-seconds x W per core (the CPU's TDP per core from a table, else 12 W as Green
 * Algorithms assumes; CASCADE_WATTS_PER_CORE overrides) plus 0.3725 W/GB of peak memory, times CASCADE_PUE.
 * Every entry carries its method, its constants and the hardware it ran on.
 */

import type { Usage } from '../lib/domain/usage.js';
import type { Work } from '../lib/energy/energy.js';
import { usageEnergy } from '../lib/energy/energy.js';
import { modelledEnergy } from '../lib/energy/model.js';
import type { EnergySnapshot } from '../lib/energy/snapshot.js';
import { type Hardware, hardwareOf } from './energy/hardware.js';
import { energyBetween, energySnapshot } from './energy/meter.js';
import { type EnergySettings, energySettings } from './energy/settings.js';
import { openCpuScope } from './process-cpu.js';

let settings: EnergySettings | undefined;
let hardware: Hardware | undefined;

/**
 * Reads the energy settings (refusing a mistyped number) and the hardware, once per process: the worker and
 * the CLI call it at start, so every Usage names its hardware. Safe to call again.
 */
export async function prepareEnergy(): Promise<EnergySettings> {
  settings ??= energySettings();
  hardware ??= await hardwareOf(settings);
  return settings;
}

/** W per core of the model, as a Usage's constants would name it (CASCADE_WATTS_PER_CORE, the table, 12 W). */
export function wattsPerCore(): number {
  return Number(modelledEnergy({ cpuSeconds: 1, wallSeconds: 0 }, modelContext()).constants.wattsPerCore);
}

function modelContext() {
  const s = settings ?? energySettings();
  return {
    ...(hardware?.cpuModel !== undefined ? { cpuModel: hardware.cpuModel } : {}),
    ...(s.wattsPerCore !== undefined ? { wattsPerCore: s.wattsPerCore } : {}),
    pue: s.pue,
    ...(hardware ? { hardware: hardware.description } : {}),
  };
}

/** A Usage from times measured without an energy bracket: its energy from the model. */
export function usageOf(t: Work): Usage {
  return {
    wallSeconds: t.wallSeconds,
    cpuSeconds: t.cpuSeconds,
    gpuSeconds: t.gpuSeconds ?? 0,
    ...(t.peakMemoryBytes !== undefined ? { peakMemoryBytes: t.peakMemoryBytes } : {}),
    ...usageEnergy(modelledEnergy(t, modelContext())),
  };
}

/** Starts an energy bracket around a piece of work (a calculation, say); never throws. */
export function energyBracket(opts: { gpu?: boolean } = {}): Promise<EnergySnapshot> {
  return energySnapshot({ ...(settings ? { settings } : {}), gpu: opts.gpu ?? false });
}

/** The Usage of work done since `start`, its energy measured where the machine allows, else modelled. */
export async function usageSince(start: EnergySnapshot, t: Work): Promise<Usage> {
  await prepareEnergy();
  const energy = await energyBetween(start, t, {
    ...(settings ? { settings } : {}),
    gpu: (t.gpuSeconds ?? 0) > 0,
  });
  return {
    wallSeconds: t.wallSeconds,
    cpuSeconds: t.cpuSeconds,
    gpuSeconds: t.gpuSeconds ?? 0,
    ...(t.peakMemoryBytes !== undefined ? { peakMemoryBytes: t.peakMemoryBytes } : {}),
    ...usageEnergy(energy),
  };
}

/**
 * Starts measuring a piece of in-process work (RDKit, training threads, the store): wall time, the CPU this
 * process used meanwhile, shared with whatever in-process work ran beside it (./process-cpu.ts), the process's
 * peak resident memory and an energy bracket. The returned function ends the measurement and gives the Usage;
 * the CPU figure is fixed at the first call. Prefer `measured`, which cannot leave a measurement open.
 */
export async function measureProcess(): Promise<() => Promise<Usage>> {
  const start = await energyBracket();
  const wall0 = performance.now();
  const scope = openCpuScope();
  return () =>
    usageSince(start, {
      wallSeconds: (performance.now() - wall0) / 1000,
      cpuSeconds: scope.close(),
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    });
}

/** Runs in-process work and measures it (see measureProcess); the measurement ends even when the work throws. */
export async function measured<T>(work: () => Promise<T>): Promise<{ value: T; usage: Usage }> {
  const stop = await measureProcess();
  let value: T;
  try {
    value = await work();
  } catch (e) {
    await stop();
    throw e;
  }
  return { value, usage: await stop() };
}
