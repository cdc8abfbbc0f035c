/**
 * One calculation through the cache: the content hash of (code, code version, method, basis, settings,
 * canonical system) names the result; a stored result is answered without running anything, a result being
 * computed in this process is awaited, one being computed by another worker (it holds the calculation's claim in
 * the store: claim.ts) is awaited too, and every real execution is logged. Used by campaign tiers and by
 * `cascade qm run` alike.
 *
 * A stored failure answers only what it says something about. A deterministic one (invalid input, the code's
 * own error: the same inputs fail again) answers every request; a circumstantial one (a time limit, a signal, a
 * worker that died under it) answers requests with the limits it failed under, and is computed again for a longer
 * timeout or more threads. `recompute` runs it again anyway. A calculation whose workers died under it
 * MAX_WORKER_DEATHS times (the store's executions say so: still 'running', their process gone) is recorded as a
 * failure instead of being run again, so that one candidate cannot take down worker after worker.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import type { SlurmProfile } from '../../lib/campaign/slurm-schema.js';
import { NO_USAGE, type Usage } from '../../lib/domain/usage.js';
import { codeEntry } from '../../qm/codes/registry.js';
import { canonicalGeometry } from '../../qm/molecule.js';
import { canonicalCrystal } from '../../qm/structure.js';
import {
  type CalcSpec,
  type Crystal,
  type Geometry,
  isCalcFailure,
  isCrystal,
  type QmSystem,
} from '../../qm/template.js';
import { cascadeHome } from '../../store/open.js';
import type { Execution, QmFailure, QmLimits, QmResultRecord, Store } from '../../store/store.js';
import { energyBracket, usageSince } from '../usage.js';
import { awaitOtherRun, keepClaim, LEASE_SECONDS, WaitStopped } from './claim.js';
import { runWithHandlers } from './handlers.js';
import type { Progress } from './runner.js';
import { slurmJobUsage } from './slurm/index.js';

export interface CalculationRequest {
  spec: CalcSpec;
  system: QmSystem;
  timeoutSeconds: number;
  threads?: number;
  /** Run it although the store has its result: 'failures' when that result is a failure, 'all' whatever it is. */
  recompute?: 'failures' | 'all';
  /** Submit it to Slurm (a tier's `slurm:`); where it runs is not part of its key. */
  slurm?: SlurmProfile;
}

export interface CalculationResult {
  key: string;
  cached: boolean;
  record: QmResultRecord;
  /** What it used now: nothing for a cache hit (the original run's times stay in the record's provenance). */
  usage: Usage;
}

/** Thrown when a calculation was cancelled or its process killed: nothing was recorded, it may be retried. */
export class CalculationStopped extends Error {
  override name = 'CalculationStopped';
}

/** The canonical text and hash of what a calculation computes on. */
export function canonicalSystem(system: QmSystem): { text: string; hash: string } {
  return isCrystal(system) ? canonicalCrystal(system) : canonicalGeometry(system);
}

/** The content hash that identifies a calculation. */
export function resultKey(spec: CalcSpec, version: string, systemHash: string): string {
  const canonical = JSON.stringify({
    code: spec.code,
    version,
    method: spec.method,
    basis: spec.basis ?? null,
    task: spec.task,
    solvent: spec.solvent ?? null,
    charge: spec.charge,
    multiplicity: spec.multiplicity,
    settings: sortedKeys(spec.settings),
    system: systemHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function sortedKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** A failure recorded for a calculation that killed its workers, instead of running it once more. */
export const KILLED_WORKER = 'killed-worker';

/** Worker deaths under one calculation after which it is recorded as failed instead of run again. */
export const MAX_WORKER_DEATHS = 3;

/** Failure kinds that say more about the circumstances than the inputs; every other kind the same inputs repeat. */
const CIRCUMSTANTIAL: ReadonlySet<string> = new Set(['timeout', 'killed', KILLED_WORKER]);

export function failureClass(kind: string): NonNullable<QmFailure['class']> {
  return CIRCUMSTANTIAL.has(kind) ? 'circumstantial' : 'deterministic';
}

export function limitsOf(req: Pick<CalculationRequest, 'timeoutSeconds' | 'threads'>): QmLimits {
  return { timeoutSeconds: req.timeoutSeconds, threads: req.threads ?? 1 };
}

/**
 * Whether a stored result answers this request. A circumstantial failure answers only requests that allow no
 * more than it had; one stored before failures carried their limits is computed once more (its limits unknown).
 */
export function answers(stored: QmResultRecord, req: CalculationRequest): boolean {
  if (req.recompute === 'all') return false;
  const f = stored.failure;
  if (stored.status === 'ok' || !f) return true;
  if (req.recompute === 'failures') return false;
  if ((f.class ?? failureClass(f.kind)) === 'deterministic') return true;
  if (!f.limits) return false;
  const asked = limitsOf(req);
  return asked.timeoutSeconds <= f.limits.timeoutSeconds && asked.threads <= f.limits.threads;
}

/** The calculation's key, with the code version and canonical system it is made of. */
async function identify(
  req: CalculationRequest,
): Promise<{ key: string; version: string; system: { hash: string; text: string } }> {
  const entry = codeEntry(req.spec.code);
  const version = await entry.version(entry.profile({ threads: req.threads ?? 1 }).binary);
  const system = canonicalSystem(req.system);
  return { key: resultKey(req.spec, version, system.hash), version, system };
}

/** Deaths a recomputed verdict already counted are not counted again: it gets as many tries as the first time. */
function countedBefore(stored: QmResultRecord | undefined): number {
  return Math.max(0, ...(stored?.failure?.lostExecutions ?? []));
}

/**
 * How many workers died while running this calculation, when it is going to run (0 when the store answers it):
 * a caller runs one that has such deaths alone, so that a next death is its own and not a neighbour's.
 */
export async function workerDeathsUnder(store: Store, req: CalculationRequest): Promise<number> {
  const { key } = await identify(req);
  const hit = await store.getQmResult(key);
  if (hit && answers(hit, req)) return 0;
  return (await workerDeaths(store, key, countedBefore(hit))).length;
}

/** Calculations in flight in this process, by key: a second request waits for the first. */
const inFlight = new Map<string, Promise<CalculationResult>>();

export async function calculate(
  store: Store,
  req: CalculationRequest,
  opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void } = {},
): Promise<CalculationResult> {
  const id = await identify(req);
  const { key } = id;
  const hit = await store.getQmResult(key);
  if (hit && answers(hit, req)) return { key, cached: true, record: hit, usage: { ...NO_USAGE } };
  const running = inFlight.get(key);
  if (running) return { ...(await running), cached: true, usage: { ...NO_USAGE } };
  const run = compute(store, req, id, opts, hit);
  inFlight.set(key, run);
  try {
    return await run;
  } finally {
    inFlight.delete(key);
  }
}

async function compute(
  store: Store,
  req: CalculationRequest,
  id: { key: string; version: string; system: { hash: string; text: string } },
  opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void },
  stored: QmResultRecord | undefined,
): Promise<CalculationResult> {
  const { key } = id;
  for (;;) {
    const deaths = await workerDeaths(store, key, countedBefore(stored));
    if (deaths.length >= MAX_WORKER_DEATHS) return refuse(store, req, id, deaths);
    const execution = await store.claimExecution(key, req.spec.code, hostname(), LEASE_SECONDS);
    if (execution === undefined) {
      // another worker (on this host or another) is computing it: its result, unless it gives the claim up
      const theirs = await awaitOtherRun(store, key, {
        answers: (r) => answers(r, req),
        lookForDeaths: () => workerDeaths(store, key, countedBefore(stored)),
        ...opts,
      }).catch((e) => {
        throw e instanceof WaitStopped ? new CalculationStopped(e.message) : e;
      });
      if (theirs) return { key, cached: true, record: theirs, usage: { ...NO_USAGE } };
      stored = await store.getQmResult(key);
      continue;
    }
    const release = keepClaim(store, execution);
    try {
      return await computeAs(execution, store, req, id, opts, stored);
    } catch (e) {
      // whatever went wrong, the execution ended here (a 'running' one would read as a worker that died under it)
      if (!(e instanceof CalculationStopped))
        await store.finishExecution(execution, 'error').catch(() => undefined);
      throw e;
    } finally {
      release();
    }
  }
}

async function computeAs(
  execution: number,
  store: Store,
  req: CalculationRequest,
  id: { key: string; version: string; system: { hash: string; text: string } },
  opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void },
  stored: QmResultRecord | undefined,
): Promise<CalculationResult> {
  const entry = codeEntry(req.spec.code);
  const profile = { ...entry.profile({ threads: req.threads ?? 1 }), ...(req.slurm && { slurm: req.slurm }) };
  const runOpts = {
    workRoot: path.join(cascadeHome(), 'work'),
    timeoutMs: req.timeoutSeconds * 1000,
    signal: opts.signal,
    onProgress: opts.onProgress,
    codeVersion: id.version,
  };
  // the energy of the code's CPU time: measured (RAPL share) where the machine allows, else modelled
  const bracket = await energyBracket();
  // restart handlers: each recoverable failure class has a named handler with a bounded number of restarts
  const handled =
    entry.system === 'crystal'
      ? await runWithHandlers(entry.template, profile, req.spec, req.system as Crystal, runOpts)
      : await runWithHandlers(entry.template, profile, req.spec, req.system as Geometry, runOpts);
  const { outcome } = handled;
  const provenance = {
    ...handled.provenance,
    wallSeconds: handled.wallSeconds,
    cpuSeconds: handled.cpuSeconds,
    attempts: handled.attempts,
    handlersFired: handled.handlersFired,
    // handlers may have changed settings: the key stays the request's, the spec that produced the result is here
    finalSpec: handled.spec,
  };
  const failure = isCalcFailure(outcome) ? outcome : undefined;
  if (failure && (opts.signal?.aborted || handled.ended === 'cancelled')) {
    // cancelled (or the worker is shutting down): nothing is recorded, the caller may retry
    await store.finishExecution(execution, failure.kind);
    throw new CalculationStopped(`${entry.code} was stopped: ${failure.message}`);
  }
  const record: QmResultRecord = {
    ...identityOf(req, id),
    status: failure ? 'failed' : 'ok',
    outputs: failure ? undefined : (outcome as unknown as Record<string, unknown>),
    failure: failure
      ? {
          kind: failure.kind,
          message: failure.message,
          retryable: failure.retryable,
          class: failureClass(failure.kind),
          limits: limitsOf(req),
        }
      : undefined,
    provenance: { ...provenance, system: id.system.text },
  };
  // the execution's end and its result in one write; a recomputation that failed (say, under a shorter time
  // limit) leaves a stored good result as it was
  const keep = stored?.status === 'ok' && failure !== undefined;
  await store.finishExecution(execution, failure ? failure.kind : 'ok', keep ? undefined : record);
  const work = {
    wallSeconds: provenance.wallSeconds,
    cpuSeconds: provenance.cpuSeconds,
    ...(handled.provenance.maxRssKb ? { peakMemoryBytes: handled.provenance.maxRssKb * 1024 } : {}),
  };
  return {
    key: id.key,
    cached: false,
    record,
    usage: provenance.slurm
      ? await slurmJobUsage(provenance.slurm, work, handled.attempts.length) // ran on a compute node, not here
      : await usageSince(bracket, work),
  };
}

/** What a result record says about the calculation it belongs to, whoever produced it. */
function identityOf(
  req: CalculationRequest,
  id: { key: string; version: string; system: { hash: string } },
): Pick<QmResultRecord, 'key' | 'code' | 'codeVersion' | 'method' | 'settings' | 'geometryHash'> {
  return {
    key: id.key,
    code: req.spec.code,
    codeVersion: id.version,
    method: req.spec.method,
    settings: {
      task: req.spec.task,
      basis: req.spec.basis ?? null,
      solvent: req.spec.solvent ?? null,
      charge: req.spec.charge,
      multiplicity: req.spec.multiplicity,
      ...req.spec.settings,
    },
    geometryHash: id.system.hash,
  };
}

/**
 * The runs of this calculation (after execution `after`) whose worker died under them. A run still 'running'
 * whose process is gone is marked so now. Only this host's processes can be seen: a run on another host counts
 * once its claim's lease ran out and the next claimant marked it (claimExecution).
 */
async function workerDeaths(store: Store, key: string, after: number): Promise<Execution[]> {
  const runs = (await store.listExecutions({ key })).filter((e) => e.id > after);
  const gone = runs.filter((e) => e.status === 'running' && processGone(e));
  if (gone.length > 0) await store.markExecutionsLost(gone.map((e) => e.id));
  return runs.filter((e) => e.status === 'worker-died' || gone.includes(e));
}

function processGone(e: Execution): boolean {
  // this process's own runs are in `inFlight`, or were finished when they threw
  if (e.host !== hostname() || e.pid === process.pid) return false;
  try {
    process.kill(e.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The calculation killed its workers MAX_WORKER_DEATHS times: a recorded failure instead of another death. */
async function refuse(
  store: Store,
  req: CalculationRequest,
  id: { key: string; version: string; system: { hash: string; text: string } },
  deaths: Execution[],
): Promise<CalculationResult> {
  const where = deaths.map((e) => `pid ${e.pid} on ${e.host}`).join(', ');
  const record: QmResultRecord = {
    ...identityOf(req, id),
    status: 'failed',
    failure: {
      kind: KILLED_WORKER,
      message:
        `${req.spec.code} killed its worker ${deaths.length} times (${where} died while it ran, e.g. out of ` +
        'memory): recorded as failed instead of run again (recompute to try it again)',
      retryable: false,
      class: failureClass(KILLED_WORKER),
      limits: limitsOf(req),
      lostExecutions: deaths.map((e) => e.id),
    },
    provenance: {
      system: id.system.text,
      lostExecutions: deaths.map(({ id, host, pid, startedAt }) => ({ id, host, pid, startedAt })),
    },
  };
  await store.putQmResult(record);
  return { key: id.key, cached: false, record, usage: { ...NO_USAGE } };
}
