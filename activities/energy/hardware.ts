/**
 * What the work ran on, for the ledger and for the model's TDP table: the CPU's "model name" and the logical
 * CPU count from /proc/cpuinfo, and the GPUs nvidia-smi lists. Read once per process and settings.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { firstGpuQuery } from './nvidia-smi.js';
import type { EnergySettings } from './settings.js';

export interface Hardware {
  /** /proc/cpuinfo's "model name"; undefined where it has none (many ARM kernels) or cannot be read. */
  cpuModel?: string;
  logicalCpus: number;
  gpus: string[];
  /** E.g. "AMD EPYC 7763 64-Core Processor (128 logical CPUs) + 4 x NVIDIA H200". */
  description: string;
}

/** The first "model name" and the number of "processor" entries of /proc/cpuinfo's text. */
export function parseCpuinfo(text: string): { cpuModel?: string; logicalCpus: number } {
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim();
  const logicalCpus = text.match(/^processor\s*:/gm)?.length ?? 0;
  return model ? { cpuModel: model, logicalCpus } : { logicalCpus };
}

/** "CPU (N logical CPUs)", then " + GPU" per distinct GPU, counted when there are several. */
export function describeHardware(
  cpuModel: string | undefined,
  logicalCpus: number,
  gpus: readonly string[],
): string {
  const cpu = `${cpuModel ?? 'unknown CPU'} (${logicalCpus} logical CPU${logicalCpus === 1 ? '' : 's'})`;
  const counts = new Map<string, number>();
  for (const g of gpus) counts.set(g, (counts.get(g) ?? 0) + 1);
  const gpu = [...counts].map(([name, n]) => (n === 1 ? ` + ${name}` : ` + ${n} x ${name}`)).join('');
  return cpu + gpu;
}

async function readHardware(settings: EnergySettings): Promise<Hardware> {
  const cpuinfo =
    settings.procRoot === undefined
      ? ''
      : await readFile(join(settings.procRoot, 'cpuinfo'), 'utf8').catch(() => '');
  const { cpuModel, logicalCpus: listed } = parseCpuinfo(cpuinfo);
  const logicalCpus = listed > 0 ? listed : availableParallelism();
  const gpus =
    settings.nvidiaSmi === undefined
      ? []
      : ((await firstGpuQuery(settings.nvidiaSmi)) ?? []).map((g) => g.name);
  return {
    ...(cpuModel !== undefined ? { cpuModel } : {}),
    logicalCpus,
    gpus,
    description: describeHardware(cpuModel, logicalCpus, gpus),
  };
}

const known = new Map<string, Promise<Hardware>>();

/** The hardware, read once per /proc root and nvidia-smi binary in this process. Never throws. */
export function hardwareOf(settings: EnergySettings): Promise<Hardware> {
  const key = `${settings.procRoot ?? ''}\0${settings.nvidiaSmi ?? ''}`;
  let h = known.get(key);
  if (!h) {
    h = readHardware(settings);
    known.set(key, h);
  }
  return h;
}

/** Forgets the hardware read so far (tests). */
export function forgetHardware(): void {
  known.clear();
}
