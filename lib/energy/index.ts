/**
 * Energy and carbon, pure: the types, the model, the CPU table, the attribution of measured energy to a piece
 * of work, and emissions. Reading the machine (RAPL, /proc, nvidia-smi, sacct) is in activities/energy/.
 *
 * - `modelledEnergy(work: Work, constants?: ModelConstants): Energy`: (cpuSeconds x W/core + peak GB x
 *   0.3725 W/GB x wallSeconds) x PUE; W/core from `corePower(cpuModel, override?)` (TDP table or 12 W).
 * - `attributeEnergy(start: EnergySnapshot, end: EnergySnapshot, work: Work, context: AttributionContext):
 *   Energy`: RAPL x CPU share, plus the GPU from nvidia-smi, else the model.
 * - `carbonIntensity(env): CarbonIntensity`, `co2eGrams(joules, g/kWh)`, `co2eKg(joules, g/kWh)`.
 * - `cpuSpec(modelName): CpuSpec | undefined`: TDP and cores of a listed CPU.
 * - `usageEnergy(energy)`: the Usage fields that carry an Energy (energyJoules, energyMethod, energyConstants,
 *   hardware).
 */
export {
  type AttributionContext,
  attributeEnergy,
  busyShare,
  counterDeltaUj,
  type GpuInterval,
  gpuInterval,
  type RaplInterval,
  raplInterval,
} from './attribute.js';
export {
  type CarbonIntensity,
  carbonIntensity,
  co2eGrams,
  co2eKg,
  DEFAULT_CARBON_INTENSITY,
} from './carbon.js';
export { type CpuSpec, cpuSpec, LISTED_CPUS } from './cpu-tdp.js';
export { type Energy, type EnergyMethod, usageEnergy, type Work } from './energy.js';
export {
  BYTES_PER_GB,
  type CorePower,
  corePower,
  DEFAULT_PUE,
  DEFAULT_WATTS_PER_CORE,
  MEMORY_WATTS_PER_GB,
  type ModelConstants,
  modelledEnergy,
} from './model.js';
export type { EnergySnapshot, GpuPower, RaplReading } from './snapshot.js';
