/**
 * This worker process's CPU time, divided among the in-process work running in it, so that the ledger adds up.
 *
 * Node reports CPU time for the whole process (every thread: the event loop, training and embedding threads,
 * RDKit, the Temporal SDK), never per activity. Timing each activity with the process's counter would count
 * twice whatever runs side by side (four molecules embedding in four slots would each be charged the four
 * embeddings). Instead every piece of in-process work opens a scope, and each time a scope opens or closes the
 * CPU used since the previous event is split evenly among the scopes open in that interval (work that ran
 * alone gets all of it); CPU used while no scope was open (polling, workflow tasks, heartbeats, the store) is
 * the platform's, kept here until `takeUnattributed` hands it to the ledger as a line of its own
 * (activities/platform.ts). Scopes and the platform share out the process's CPU exactly, by construction.
 * External codes run in other processes and are measured there (activities/qm/accounting.ts).
 */

let last = process.cpuUsage();
const open = new Map<symbol, { cpuSeconds: number }>();
let unattributed = 0;

/** Charges the CPU used since the previous event to the scopes open during it, or to the platform. */
function settle(): void {
  const now = process.cpuUsage();
  const seconds = (now.user - last.user + now.system - last.system) / 1e6;
  last = now;
  if (open.size === 0) {
    unattributed += seconds;
    return;
  }
  for (const scope of open.values()) scope.cpuSeconds += seconds / open.size;
}

export interface CpuScope {
  /** Ends the scope; the CPU seconds charged to it. Closing twice returns the same figure. */
  close(): number;
}

/** Starts charging this process's CPU to a piece of work (shared evenly with any work running beside it). */
export function openCpuScope(): CpuScope {
  settle();
  const token = Symbol('cpu-scope');
  const scope = { cpuSeconds: 0 };
  open.set(token, scope);
  let closed: number | undefined;
  return {
    close() {
      if (closed === undefined) {
        settle();
        open.delete(token);
        closed = scope.cpuSeconds;
      }
      return closed;
    },
  };
}

/** The process CPU no scope took since the last call (seconds), and starts counting afresh. */
export function takeUnattributed(): number {
  settle();
  const seconds = unattributed;
  unattributed = 0;
  return seconds;
}

/** Scopes open now (for tests and diagnostics). */
export function openScopes(): number {
  return open.size;
}
