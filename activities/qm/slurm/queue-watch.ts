/**
 * One squeue query for all the jobs this process follows, however many calculations run at once (as the
 * managers of jobflow-remote and QCFractal poll their queues): a cluster's controller answers one query a
 * few seconds apart, not one per job. A job's state goes to its listener after each query; a job squeue no
 * longer knows is reported as gone (undefined). A failed query (the controller restarting) changes nothing
 * and is tried again at the next interval; its message is kept for progress lines.
 */
import { runSlurm, slurmCommand } from './commands.js';
import { NO_SUCH_JOBS, parseSqueue, type QueueEntry, squeueArgs } from './squeue.js';

type Listener = (entry: QueueEntry | undefined) => void;

interface Watched {
  pollMs: number;
  listener: Listener;
}

const watched = new Map<string, Watched>();
let timer: NodeJS.Timeout | undefined;
let querying = false;
/** Asked for again while a query ran: the next one runs as soon as it ends. */
let again = false;
/** The last query's error, until one succeeds. */
let lastError: string | undefined;

/** Why squeue could not be asked the last time, if it could not. */
export const queueError = (): string | undefined => lastError;

/** Follows a job until the returned function is called; the first query runs at once. */
export function watchJob(jobId: string, pollMs: number, listener: Listener): () => void {
  const entry = { pollMs, listener };
  watched.set(jobId, entry);
  schedule(0);
  return () => {
    if (watched.get(jobId) === entry) watched.delete(jobId);
    if (watched.size === 0 && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
}

/** Asks again now rather than at the next interval (after a scancel, say). */
export function askSoon(): void {
  schedule(0);
}

function schedule(delayMs: number): void {
  if (querying) {
    // the running query schedules the next one when it ends
    again ||= delayMs === 0;
    return;
  }
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void query(), delayMs);
}

async function query(): Promise<void> {
  timer = undefined;
  if (watched.size === 0) return;
  querying = true;
  again = false;
  const asked = [...watched.keys()];
  try {
    const squeue = await slurmCommand('squeue');
    const r = await runSlurm(squeue, squeueArgs(asked));
    if (r.exitCode === 0 || NO_SUCH_JOBS.test(r.stderr)) {
      lastError = undefined;
      const found = r.exitCode === 0 ? parseSqueue(r.stdout) : new Map<string, QueueEntry>();
      for (const id of asked) watched.get(id)?.listener(found.get(id));
    } else {
      lastError = `squeue failed: ${r.stderr.trim() || r.failure || `exit ${r.exitCode}`}`;
    }
  } catch (e) {
    lastError = (e as Error).message;
  } finally {
    querying = false;
    if (watched.size > 0) schedule(again ? 0 : Math.min(...[...watched.values()].map((w) => w.pollMs)));
  }
}
