/**
 * Process groups of running codes. A code is launched with setsid(), so it leads a new process group
 * and the whole tree it spawns can be checked for, signalled and ended together.
 */
import { HAVE_PROC, scanGroup } from './proc.js';

/** Time between SIGTERM and SIGKILL: lets the code write restart files and exit cleanly. */
const KILL_GRACE_MS = 2_000;
const POLL_MS = 25;

/** Groups still running, ended with SIGKILL if this process exits first (detached children would survive). */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

/** Makes sure the group is killed should this process exit while it runs. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
}

/**
 * Ends whatever is left of a group whose leader has exited (daemonised helpers, MPI ranks), then
 * stops tracking it.
 */
export async function endGroup(pgid: number): Promise<void> {
  await terminateGroup(pgid);
  liveGroups.delete(pgid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the group, wait up to the grace period for it to empty, then SIGKILL whatever is left. */
export async function terminateGroup(pgid: number): Promise<void> {
  if (!(await groupAlive(pgid))) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = performance.now() + KILL_GRACE_MS;
  while (performance.now() < deadline) {
    await sleep(POLL_MS);
    if (!(await groupAlive(pgid))) return;
  }
  signalGroup(pgid, 'SIGKILL');
  while (await groupAlive(pgid)) await sleep(POLL_MS);
}

/** Whether any non-zombie process is in the group (zombies of orphans may linger when PID 1 does not reap). */
async function groupAlive(pgid: number): Promise<boolean> {
  // fast path: a signal-0 probe says whether the group has any member at all (a syscall, ~µs); only when it
  // has one is /proc scanned (~30 ms with 130 processes) to tell running members from unreaped zombies
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (HAVE_PROC) return (await scanGroup(pgid)).some((p) => p.state !== 'Z');
  return true;
}
