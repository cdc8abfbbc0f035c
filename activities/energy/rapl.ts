/**
 * RAPL energy counters from the powercap sysfs tree (/sys/class/powercap): every CPU package zone
 * (`intel-rapl:N`, named "package-N"; AMD CPUs use the same driver and names, and an `amd-rapl:N` tree is read
 * alike) and every DRAM zone (`intel-rapl:N:M` named "dram"). Core and uncore subzones are inside the package
 * and psys covers the whole platform, so neither is added. Since Linux 5.10 energy_uj is readable by root only
 * (Platypus, CVE-2020-8694): unreadable zones are left out and the caller falls back to the model.
 *
 * The counters are 32-bit in hardware and wrap at max_energy_range_uj (65 kJ or 262 kJ depending on the
 * CPU's energy unit: minutes at full load), so a calculation longer than that would see an unknown number of
 * wraps between two readings. A
 * tracker per root therefore reads the zones every RAPL_POLL_MS while the process runs (a few small files)
 * and keeps each counter unwrapped; snapshots read the tracker.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { counterDeltaUj } from '../../lib/energy/attribute.js';
import type { RaplReading } from '../../lib/energy/snapshot.js';

/** Well under a wrap: 65 kJ in 20 s would be 3 kW for one package. */
export const RAPL_POLL_MS = 20_000;

const ZONE = /^(intel-rapl|amd-rapl)(:\d+)+$/;

const wanted = (name: string): boolean => name.startsWith('package') || name === 'dram';

async function readZone(root: string, zone: string): Promise<RaplReading | undefined> {
  const file = (f: string) => readFile(join(root, zone, f), 'utf8').then((t) => t.trim());
  try {
    const name = await file('name');
    if (!wanted(name)) return undefined;
    const [energy, range] = await Promise.all([file('energy_uj'), file('max_energy_range_uj')]);
    const energyUj = Number(energy);
    const maxEnergyRangeUj = Number(range);
    if (energy === '' || !Number.isFinite(energyUj)) return undefined;
    return {
      zone,
      name,
      energyUj,
      maxEnergyRangeUj: Number.isFinite(maxEnergyRangeUj) ? maxEnergyRangeUj : 0,
    };
  } catch {
    return undefined;
  }
}

/** The package and DRAM counters as they read now, raw; empty when there is no readable zone. */
export async function readRaplZones(root: string): Promise<RaplReading[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const zones = entries.filter((e) => ZONE.test(e)).sort();
  const readings = await Promise.all(zones.map((z) => readZone(root, z)));
  return readings.filter((r): r is RaplReading => r !== undefined);
}

/** Keeps the counters of one powercap root unwrapped: each reading adds its delta since the previous one. */
class RaplTracker {
  private readonly last = new Map<string, RaplReading>();
  private readonly total = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: string) {}

  /** Unwrapped counters: the first raw value seen plus every delta since. Readings are serialised. */
  read(): Promise<RaplReading[]> {
    const next = this.queue.then(() => this.poll());
    this.queue = next.catch(() => undefined);
    return next;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<RaplReading[]> {
    const now = await readRaplZones(this.root);
    const out: RaplReading[] = [];
    for (const r of now) {
      const prev = this.last.get(r.zone);
      // a zone seen for the first time starts from its raw value; one that went down with no known range
      // (never seen in practice) adds nothing for that interval rather than a wrong figure
      const total = prev
        ? (this.total.get(r.zone) ?? 0) +
          (counterDeltaUj(prev.energyUj, r.energyUj, prev.maxEnergyRangeUj) ?? 0)
        : r.energyUj;
      this.last.set(r.zone, r);
      this.total.set(r.zone, total);
      out.push({ ...r, energyUj: total });
    }
    if (now.length > 0 && !this.timer) {
      this.timer = setInterval(() => void this.read(), RAPL_POLL_MS);
      this.timer.unref();
    }
    return out;
  }
}

const trackers = new Map<string, RaplTracker>();

/** The package and DRAM counters of `root`, unwrapped since this process first read them. Never throws. */
export function raplReadings(root: string): Promise<RaplReading[]> {
  let tracker = trackers.get(root);
  if (!tracker) {
    tracker = new RaplTracker(root);
    trackers.set(root, tracker);
  }
  return tracker.read().catch(() => []);
}

/** Stops and forgets every tracker (tests that rewrite a fixture tree start afresh). */
export function forgetRaplTrackers(): void {
  for (const t of trackers.values()) t.stop();
  trackers.clear();
}
