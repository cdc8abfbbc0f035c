/**
 * A calculation's claim from the worker's side (the store keeps the leases: store/sqlite/claims.ts and
 * store/postgres/claims.ts). The worker that claims a calculation renews its lease while the code runs; a worker
 * that finds it claimed waits for that run's result instead of computing it too, and claims it itself once the
 * claim is gone without an answer (the run failed in a way that does not answer this request, or its worker died
 * and the lease ran out).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QmResultRecord, Store } from '../../store/store.js';
import type { Progress } from './runner.js';

/** The lease a claim is taken for, and how often its worker renews it (three times within it). */
export const LEASE_SECONDS = 60;
const RENEW_MS = (LEASE_SECONDS * 1000) / 3;
/** How often a waiting worker looks for the other run's result. */
const POLL_MS = 1000;

/** Renews the claim until the returned function is called. A renewal that fails is retried at the next tick. */
export function keepClaim(store: Store, execution: number): () => void {
  const timer = setInterval(() => {
    // a claim lost meanwhile (this worker stalled past its lease) is not taken back: the run goes on, and its
    // result is stored like the other's
    store.renewClaim(execution, LEASE_SECONDS).catch(() => undefined);
  }, RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export class WaitStopped extends Error {
  override name = 'WaitStopped';
}

/**
 * Waits while another run holds the claim on `key`: its result once it answers (`answers`), or undefined once the
 * claim is gone without one. `lookForDeaths` marks runs whose process is gone (which gives their claims up).
 * Throws WaitStopped when `signal` aborts.
 */
export async function awaitOtherRun(
  store: Store,
  key: string,
  opts: {
    answers: (r: QmResultRecord) => boolean;
    lookForDeaths: () => Promise<unknown>;
    signal?: AbortSignal;
    onProgress?: (p: Progress) => void;
  },
): Promise<QmResultRecord | undefined> {
  const started = performance.now();
  for (;;) {
    if (opts.signal?.aborted) throw new WaitStopped('cancelled while another worker computed it');
    const r = await store.getQmResult(key);
    if (r && opts.answers(r)) return r;
    await opts.lookForDeaths();
    const claim = await store.liveClaim(key);
    if (!claim) return undefined;
    opts.onProgress?.({
      elapsedSeconds: (performance.now() - started) / 1000,
      line: `another worker is computing it (execution ${claim.execution}): waiting for its result`,
    });
    await sleep(POLL_MS, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
  }
}
