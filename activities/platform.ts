/**
 * accountPlatform: what the platform itself burns, as lines of their own in the ledger, so that a campaign's
 * energy is everything its machines did for it and not only its calculations and models:
 * - `platform:worker`: this worker process's CPU that no activity took (polling, workflow tasks, heartbeats,
 *   the store: activities/process-cpu.ts) plus the launcher's own CPU (the process that starts the codes; the
 *   codes' CPU is in the `qm:` lines already, activities/qm/accounting.ts);
 * - `platform:temporal`: the embedded Temporal dev server's CPU, when this worker runs beside it (the pid file in
 *   its CASCADE_HOME names a live dev server, as `cascade server start` leaves it). A server shared by several campaigns gives each its CPU since that
 *   campaign's previous line: with one campaign at a time the line is exact, with several it is an upper bound.
 *
 * The workflow calls it on each of its task queues (each worker process keeps its own counters) at the start
 * of a campaign (`start`: what was used before it belongs to no campaign, and is dropped) and after every
 * round. Memory is left out of these lines: the processes' memory is already in the activities' entries.
 */
import { sumUsage, type Usage } from '../lib/domain/usage.js';
import { cascadeHome } from '../store/open.js';
import type { Store } from '../store/store.js';
import { runningDevServerPid } from './dev-server-pid.js';
import { takeUnattributed } from './process-cpu.js';
import { launcherPid } from './qm/launcher.js';
import { readStat } from './qm/proc.js';
import { usageOf } from './usage.js';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

interface Seen {
  pid: number;
  ticks: number;
}

/** The last reading of each process, per process kind; a new pid (a restarted process) starts afresh. */
const seen = new Map<'launcher' | 'server', Seen>();
let lastCall = performance.now();

/** CPU seconds a process used since it was last read here (0 the first time, or when it is gone). */
async function cpuSince(kind: 'launcher' | 'server', pid: number | undefined, own: boolean): Promise<number> {
  if (pid === undefined) return 0;
  const stat = await readStat(pid);
  if (!stat) return 0;
  const ticks = own ? stat.ownTicks : stat.ticks;
  const before = seen.get(kind);
  seen.set(kind, { pid, ticks });
  return before?.pid === pid ? Math.max(0, ticks - before.ticks) / TICKS_PER_SECOND : 0;
}

export interface PlatformArgs {
  campaignId: string;
  round: number;
  /** The campaign starts: drop what was used before it. */
  start?: boolean;
}

export async function accountPlatform(store: Store, args: PlatformArgs): Promise<{ usage: Usage }> {
  const now = performance.now();
  const wallSeconds = (now - lastCall) / 1000;
  lastCall = now;
  const worker = takeUnattributed() + (await cpuSince('launcher', launcherPid(), true));
  const server = await cpuSince('server', runningDevServerPid(cascadeHome()), false);
  if (args.start) return { usage: usageOf({ wallSeconds: 0, cpuSeconds: 0 }) };
  const where = { campaignId: args.campaignId, round: args.round };
  const lines: Usage[] = [];
  for (const [activity, cpuSeconds] of [
    ['platform:worker', worker],
    ['platform:temporal', server],
  ] as const) {
    if (cpuSeconds <= 0) continue;
    const usage = usageOf({ wallSeconds, cpuSeconds });
    await store.record({ ...where, activity, usage });
    lines.push(usage);
  }
  return { usage: sumUsage(lines) };
}
