/**
 * The machine's busy CPU time from /proc/stat's first line ("cpu  user nice system idle iowait irq softirq
 * steal guest guest_nice", in USER_HZ ticks, 100 per second on Linux): everything but idle and iowait, less
 * steal (time the hypervisor gave to other guests: no process here used it) and guest/guest_nice (already
 * counted inside user/nice, see proc(5)). Its increase over an interval is the denominator of a piece of
 * work's share of the RAPL energy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const USER_HZ = 100;

/** Busy CPU-seconds since boot from /proc/stat's text; undefined when it has no aggregate "cpu" line. */
export function parseBusyCpuSeconds(stat: string): number | undefined {
  const line = stat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq = 0, softirq = 0] = f;
  if (user === undefined || nice === undefined || system === undefined || f.some((x) => !Number.isFinite(x)))
    return undefined;
  return (user + nice + system + irq + softirq) / USER_HZ;
}

/** Busy CPU-seconds of the machine now; undefined when <procRoot>/stat cannot be read. */
export async function readBusyCpuSeconds(procRoot: string): Promise<number | undefined> {
  return readFile(join(procRoot, 'stat'), 'utf8').then(parseBusyCpuSeconds, () => undefined);
}
