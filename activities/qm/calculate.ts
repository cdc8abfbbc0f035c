/**
 * One calculation through the cache: the content hash of (code, code version, method, basis, settings,
 * canonical system) names the result; a stored result is answered without running anything, a result being
 * computed in this process is awaited, and every real execution is logged. Used by campaign tiers and by
 * `cascade qm run` alike.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
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
import type { QmResultRecord, Store } from '../../store/store.js';
import { usageOf } from '../usage.js';
import { runWithHandlers } from './handlers.js';
import type { Progress } from './runner.js';

export interface CalculationRequest {
  spec: CalcSpec;
  system: QmSystem;
  timeoutSeconds: number;
  threads?: number;
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

/** Calculations in flight in this process, by key: a second request waits for the first. */
const inFlight = new Map<string, Promise<CalculationResult>>();

export async function calculate(
  store: Store,
  req: CalculationRequest,
  opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void } = {},
): Promise<CalculationResult> {
  const entry = codeEntry(req.spec.code);
  const profile = entry.profile({ threads: req.threads ?? 1 });
  const version = await entry.version(profile.binary);
  const system = canonicalSystem(req.system);
  const key = resultKey(req.spec, version, system.hash);
  const hit = await store.getQmResult(key);
  if (hit) return { key, cached: true, record: hit, usage: { ...NO_USAGE } };
  const running = inFlight.get(key);
  if (running) return { ...(await running), cached: true, usage: { ...NO_USAGE } };
  const run = compute(store, req, { key, version, system }, opts);
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
): Promise<CalculationResult> {
  const entry = codeEntry(req.spec.code);
  const profile = entry.profile({ threads: req.threads ?? 1 });
  const execution = await store.startExecution(id.key, entry.code, hostname());
  const runOpts = {
    workRoot: path.join(cascadeHome(), 'work'),
    timeoutMs: req.timeoutSeconds * 1000,
    signal: opts.signal,
    onProgress: opts.onProgress,
    codeVersion: id.version,
  };
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
    key: id.key,
    code: entry.code,
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
    status: failure ? 'failed' : 'ok',
    outputs: failure ? undefined : (outcome as unknown as Record<string, unknown>),
    failure: failure
      ? { kind: failure.kind, message: failure.message, retryable: failure.retryable }
      : undefined,
    provenance: { ...provenance, system: id.system.text },
  };
  // the execution's end and its result in one write
  await store.finishExecution(execution, failure ? failure.kind : 'ok', record);
  return {
    key: id.key,
    cached: false,
    record,
    usage: usageOf({
      wallSeconds: provenance.wallSeconds,
      cpuSeconds: provenance.cpuSeconds,
      ...(handled.provenance.maxRssKb ? { peakMemoryBytes: handled.provenance.maxRssKb * 1024 } : {}),
    }),
  };
}
