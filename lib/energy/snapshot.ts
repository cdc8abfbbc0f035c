/**
 * What the machine's energy sources said at one instant (activities/energy/meter.ts reads them). Plain data;
 * a source that could not be read is simply absent, and the attribution falls back to the next method.
 */

/** One RAPL powercap zone: a CPU package or its DRAM. */
export interface RaplReading {
  /** The zone's directory name, e.g. "intel-rapl:0" or "intel-rapl:0:1": what matches readings across time. */
  zone: string;
  /** The zone's `name`: "package-0", "dram". */
  name: string;
  /** Cumulative energy counter, microjoules. */
  energyUj: number;
  /** Where the counter wraps back to 0, microjoules. */
  maxEnergyRangeUj: number;
}

/** One GPU's name and instantaneous board power from nvidia-smi. */
export interface GpuPower {
  name: string;
  /** Undefined when the GPU reports none ("[N/A]"). */
  watts?: number;
}

export interface EnergySnapshot {
  /** Date.now() when taken. */
  atMs: number;
  rapl: RaplReading[];
  /** CPU time the whole machine has spent busy since boot (/proc/stat), seconds; absent when unreadable. */
  busyCpuSeconds?: number;
  /** Empty without nvidia-smi. */
  gpus: GpuPower[];
}
