/**
 * Measures the energy of a piece of work: a snapshot of the machine's energy sources before it, another after,
 * and the attribution in lib/energy/attribute.ts (RAPL x the work's CPU share, plus the GPU, else the model).
 *
 *   const start = await energySnapshot();
 *   ... run the work, measure its CPU, wall time and peak memory ...
 *   const energy = await energyBetween(start, { cpuSeconds, wallSeconds, peakMemoryBytes });
 */
import { attributeEnergy } from '../../lib/energy/attribute.js';
import type { Energy, Work } from '../../lib/energy/energy.js';
import type { EnergySnapshot } from '../../lib/energy/snapshot.js';
import { hardwareOf } from './hardware.js';
import { readGpuPower } from './nvidia-smi.js';
import { readBusyCpuSeconds } from './proc-stat.js';
import { raplReadings } from './rapl.js';
import { type EnergySettings, energySettings } from './settings.js';

export interface MeterOptions {
  /** Default: energySettings() of this process's environment. */
  settings?: EnergySettings;
  /** false: do not ask nvidia-smi (CPU-only work saves a process spawn per snapshot). Default true. */
  gpu?: boolean;
}

const EMPTY = (): EnergySnapshot => ({ atMs: Date.now(), rapl: [], gpus: [] });

/** What the energy sources read now; an unreadable one is absent. Never throws. */
export async function energySnapshot(opts: MeterOptions = {}): Promise<EnergySnapshot> {
  let settings: EnergySettings;
  try {
    settings = opts.settings ?? energySettings();
  } catch {
    return EMPTY(); // a mistyped setting is reported by energyBetween, which needs it
  }
  const { powercapRoot, procRoot, nvidiaSmi } = settings;
  const [rapl, busyCpuSeconds, gpus] = await Promise.all([
    powercapRoot === undefined ? [] : raplReadings(powercapRoot),
    procRoot === undefined ? undefined : readBusyCpuSeconds(procRoot),
    nvidiaSmi === undefined || opts.gpu === false ? [] : readGpuPower(nvidiaSmi),
  ]);
  return { atMs: Date.now(), rapl, ...(busyCpuSeconds !== undefined ? { busyCpuSeconds } : {}), gpus };
}

/**
 * The energy of `work`, done since `start`: takes the second snapshot now. Throws only when the environment
 * holds a setting that is not a valid number (see energySettings).
 */
export async function energyBetween(
  start: EnergySnapshot,
  work: Work,
  opts: MeterOptions = {},
): Promise<Energy> {
  const settings = opts.settings ?? energySettings();
  const [end, hardware] = await Promise.all([energySnapshot({ ...opts, settings }), hardwareOf(settings)]);
  return attributeEnergy(start, end, work, {
    ...(hardware.cpuModel !== undefined ? { cpuModel: hardware.cpuModel } : {}),
    ...(settings.wattsPerCore !== undefined ? { wattsPerCore: settings.wattsPerCore } : {}),
    pue: settings.pue,
    hardware: hardware.description,
  });
}
