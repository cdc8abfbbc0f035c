/**
 * The machine's energy sources, read for a piece of work (the pure model and attribution are lib/energy/).
 *
 * - `energySettings(env = process.env): EnergySettings`: CASCADE_POWERCAP_ROOT, CASCADE_PROC_ROOT,
 *   CASCADE_NVIDIA_SMI, CASCADE_SACCT, CASCADE_PUE, CASCADE_WATTS_PER_CORE, CASCADE_CARBON_INTENSITY; throws on
 *   a number that is not one (call it once at worker start to refuse a mistyped setting).
 * - `energySnapshot(opts?: MeterOptions): Promise<EnergySnapshot>`: RAPL package and DRAM counters, the
 *   machine's busy CPU time, GPU power; never throws.
 * - `energyBetween(start: EnergySnapshot, work: Work, opts?: MeterOptions): Promise<Energy>`: the second
 *   snapshot and the attribution: method 'rapl' | 'rapl+nvml' | 'nvml+model' | 'model'.
 * - `sacctEnergy(jobId: string, opts?: { settings?: EnergySettings }): Promise<SacctEnergy>`: a Slurm job's
 *   joules (when recorded), CPU seconds, peak RSS, wall time, or `available: false` with the reason.
 * - `hardwareOf(settings: EnergySettings): Promise<Hardware>`: CPU model, logical CPUs, GPUs, description;
 *   cached per process.
 */
export { type Hardware, hardwareOf } from './hardware.js';
export { energyBetween, energySnapshot, type MeterOptions } from './meter.js';
export { type SacctEnergy, sacctEnergy } from './sacct.js';
export { type EnergySettings, energySettings } from './settings.js';
