/**
 * Where the energy sources are and the figures the model uses, from the environment, read in one place so that
 * tests pass their own. A source's variable set to '' turns that source off (as CASCADE_TIME='' does for GNU
 * time); a number that is not one throws, so a worker can refuse a mistyped setting at start instead of
 * recording a wrong figure.
 *
 * CASCADE_POWERCAP_ROOT  RAPL zones (default /sys/class/powercap)
 * CASCADE_PROC_ROOT      cpuinfo and stat (default /proc)
 * CASCADE_NVIDIA_SMI     nvidia-smi (default: found on PATH)
 * CASCADE_SACCT          Slurm's sacct (default: found on PATH)
 * CASCADE_PUE            power usage effectiveness, >= 1 (default 1)
 * CASCADE_WATTS_PER_CORE replaces the model's per-core power (default: TDP table, else 12 W)
 * CASCADE_CARBON_INTENSITY gCO2e/kWh (default 475, the world average)
 */
import { type CarbonIntensity, carbonIntensity } from '../../lib/energy/carbon.js';
import { DEFAULT_PUE } from '../../lib/energy/model.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnergySettings {
  /** Undefined: RAPL is not read. */
  powercapRoot?: string;
  /** Undefined: neither the CPU model nor the machine's busy time is read. */
  procRoot?: string;
  /** Undefined: no GPU is read. */
  nvidiaSmi?: string;
  /** Undefined: Slurm accounting is not asked. */
  sacct?: string;
  pue: number;
  wattsPerCore?: number;
  carbon: CarbonIntensity;
}

/** A source's location: the default when unset, none when set to ''. */
function source(env: Env, name: string, fallback: string): string | undefined {
  const v = env[name];
  if (v === undefined) return fallback;
  return v === '' ? undefined : v;
}

function number(env: Env, name: string, valid: (x: number) => boolean, what: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const x = Number(raw);
  if (!Number.isFinite(x) || !valid(x)) throw new Error(`${name} must be ${what}, not "${raw}"`);
  return x;
}

export function energySettings(env: Env = process.env): EnergySettings {
  const wattsPerCore = number(env, 'CASCADE_WATTS_PER_CORE', (x) => x > 0, 'a positive number of watts');
  const powercapRoot = source(env, 'CASCADE_POWERCAP_ROOT', '/sys/class/powercap');
  const procRoot = source(env, 'CASCADE_PROC_ROOT', '/proc');
  const nvidiaSmi = source(env, 'CASCADE_NVIDIA_SMI', 'nvidia-smi');
  const sacct = source(env, 'CASCADE_SACCT', 'sacct');
  return {
    ...(powercapRoot !== undefined ? { powercapRoot } : {}),
    ...(procRoot !== undefined ? { procRoot } : {}),
    ...(nvidiaSmi !== undefined ? { nvidiaSmi } : {}),
    ...(sacct !== undefined ? { sacct } : {}),
    pue:
      number(env, 'CASCADE_PUE', (x) => x >= 1, 'a number >= 1 (power usage effectiveness)') ?? DEFAULT_PUE,
    ...(wattsPerCore !== undefined ? { wattsPerCore } : {}),
    carbon: carbonIntensity(env),
  };
}
