/** Following one job through the queue (./queue-watch.ts) until it has ended, or until waiting is given up. */
import { watchJob } from './queue-watch.js';
import { hasEnded, hasStarted, type QueueEntry } from './squeue.js';

export interface FinalState {
  /** The job's last state seen: its final one, unless it left the queue between two queries. */
  last?: QueueEntry;
  /** It left squeue's view (MinJobAge passed) without its final state being seen. */
  gone?: true;
  /** Waiting was given up: why. */
  lost?: string;
}

export interface JobFollow {
  jobId: string;
  /** Resolves once the job has started to run (or ended without running). */
  started: Promise<void>;
  ended: Promise<FinalState>;
  /** The last state squeue reported. */
  current(): QueueEntry | undefined;
  /** Waits at most `ms` more: then `ended` resolves as lost, with `reason`, unless the job ends first. */
  deadline(ms: number, reason: string): void;
}

export function followJob(jobId: string, pollMs: number): JobFollow {
  let current: QueueEntry | undefined;
  let markStarted = () => {};
  let markEnded: (f: FinalState) => void = () => {};
  const started = new Promise<void>((r) => {
    markStarted = r;
  });
  const ended = new Promise<FinalState>((r) => {
    markEnded = r;
  });
  let giveUp: NodeJS.Timeout | undefined;
  const finish = (f: FinalState) => {
    unwatch();
    clearTimeout(giveUp);
    markStarted();
    markEnded(f);
  };
  const unwatch = watchJob(jobId, pollMs, (entry) => {
    if (!entry) return finish({ ...(current && { last: current }), gone: true });
    current = entry;
    if (hasStarted(entry.state)) markStarted();
    if (hasEnded(entry.state)) finish({ last: entry });
  });
  return {
    jobId,
    started,
    ended,
    current: () => current,
    deadline(ms, reason) {
      clearTimeout(giveUp);
      giveUp = setTimeout(() => finish({ ...(current && { last: current }), lost: reason }), ms);
    },
  };
}
