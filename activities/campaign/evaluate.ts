/**
 * evaluateCandidate: runs one candidate up the tier ladder. Every QM result is looked up by its content hash
 * first, so a retried activity (a worker was killed) never repeats a calculation that finished.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type PropertyName, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { xtbSpec, xtbTemplate } from '../qm/codes/xtb.js';
import { canonicalGeometry, parseXyz, smilesTo3D, toXyz } from '../qm/geometry.js';
import { codeVersion, xtbProfile } from '../qm/profile.js';
import { runCalculation } from '../qm/runner.js';
import { type CalcOutputs, type CalcSpec, type Geometry, isCalcFailure } from '../qm/template.js';
import { getCampaign } from '../store/campaigns.js';
import { getCandidates } from '../store/candidates.js';
import { cascadeHome, openStore } from '../store/db.js';
import { putEvaluation } from '../store/evaluations.js';
import { record } from '../store/ledger.js';
import {
  finishExecution,
  getGeometry,
  getQmResult,
  putGeometry,
  putQmResult,
  type QmResultRecord,
  startExecution,
} from '../store/qm-results.js';

export interface EvaluationSummary {
  idx: number;
  label: string;
  smiles: string;
  status: 'ok' | 'failed';
  value?: number;
  message?: string;
  /** Tiers that produced a result (fresh or cached) for this candidate. */
  tiers: string[];
  cached: boolean;
  cpuSeconds: number;
  energyJoules: number;
}

const GEOMETRY_GENERATOR = 'obabel-gen3d';

export async function evaluateCandidate(args: {
  campaignId: string;
  idx: number;
  round: number;
}): Promise<EvaluationSummary> {
  // a heartbeat for the whole activity, not only while a code runs: 3D embedding can take a while too
  const ctx = Context.current();
  const every = Math.max(1000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3);
  const beat = setInterval(() => ctx.heartbeat({ candidate: args.idx }), every);
  try {
    return await evaluate(args);
  } finally {
    clearInterval(beat);
  }
}

async function evaluate(args: {
  campaignId: string;
  idx: number;
  round: number;
}): Promise<EvaluationSummary> {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign)
    throw ApplicationFailure.nonRetryable(`unknown campaign ${args.campaignId}`, 'UnknownCampaign');
  const { config } = campaign;
  const [cand] = getCandidates(db, args.campaignId, [args.idx]);
  if (!cand) throw ApplicationFailure.nonRetryable(`no candidate #${args.idx}`, 'UnknownCandidate');
  const summary: EvaluationSummary = {
    idx: cand.idx,
    label: cand.label,
    smiles: cand.smiles,
    status: 'ok',
    tiers: [],
    cached: true,
    cpuSeconds: 0,
    energyJoules: 0,
  };

  let geom: Geometry;
  try {
    geom = await geometryFor(cand.smiles);
  } catch (e) {
    const message = `3D embedding failed: ${(e as Error).message}`;
    const tier = tierName(config.tiers[0] as TierConfig);
    putEvaluation(db, args.campaignId, {
      idx: cand.idx,
      tier,
      round: args.round,
      status: 'failed',
      message,
      cached: false,
      cpuSeconds: 0,
      wallSeconds: 0,
    });
    return { ...summary, status: 'failed', message, tiers: [tier] };
  }

  let outputs: CalcOutputs | undefined;
  for (const tier of config.tiers) {
    const name = tierName(tier);
    const r = await runTier(tier, geom, args);
    summary.tiers.push(name);
    summary.cached &&= r.cached;
    summary.cpuSeconds += r.cached ? 0 : r.cpuSeconds;
    const value = r.result.outputs
      ? propertyOf(r.result.outputs as unknown as CalcOutputs, config.objective.property)
      : undefined;
    putEvaluation(db, args.campaignId, {
      idx: cand.idx,
      tier: name,
      round: args.round,
      resultKey: r.result.key,
      status: r.result.status,
      value,
      message: r.result.failure?.message,
      cached: r.cached,
      cpuSeconds: r.cached ? 0 : r.cpuSeconds,
      wallSeconds: r.cached ? 0 : r.wallSeconds,
    });
    if (!r.cached) {
      summary.energyJoules += record(db, {
        campaignId: args.campaignId,
        round: args.round,
        activity: `qm:${name}`,
        wallSeconds: r.wallSeconds,
        cpuSeconds: r.cpuSeconds,
      });
    }
    if (r.result.status !== 'ok' || !r.result.outputs) {
      return { ...summary, status: 'failed', message: r.result.failure?.message ?? 'no outputs' };
    }
    outputs = r.result.outputs as unknown as CalcOutputs;
    if (outputs.finalGeometry) geom = outputs.finalGeometry;
    summary.value = value;
  }
  if (summary.value === undefined) {
    return {
      ...summary,
      status: 'failed',
      message: `the last tier did not report ${config.objective.property}`,
    };
  }
  return summary;
}

async function geometryFor(smiles: string): Promise<Geometry> {
  const db = openStore();
  const stored = getGeometry(db, smiles, GEOMETRY_GENERATOR);
  if (stored) return fromStored(stored);
  const geom = await smilesTo3D(smiles);
  putGeometry(
    db,
    smiles,
    GEOMETRY_GENERATOR,
    JSON.stringify({ xyz: toXyz(geom), charge: geom.charge, multiplicity: geom.multiplicity }),
  );
  // re-read: if another worker stored one first, everyone uses the same geometry (and cache key)
  return fromStored(getGeometry(db, smiles, GEOMETRY_GENERATOR) as string);
}

/** XYZ has no charge or spin: the store keeps them beside it. */
function fromStored(stored: string): Geometry {
  const { xyz, charge, multiplicity } = JSON.parse(stored) as {
    xyz: string;
    charge: number;
    multiplicity: number;
  };
  return parseXyz(xyz, { charge, multiplicity });
}

function specFor(tier: TierConfig, geom: Geometry): CalcSpec {
  return xtbSpec(tier, geom);
}

/** The content hash that identifies a calculation: code, version, method, settings and canonical geometry. */
export function resultKey(spec: CalcSpec, version: string, geometryHash: string): string {
  const canonical = JSON.stringify({
    code: spec.code,
    version,
    method: spec.method,
    task: spec.task,
    solvent: spec.solvent ?? null,
    charge: spec.charge,
    multiplicity: spec.multiplicity,
    settings: spec.settings,
    geometry: geometryHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

type TierRun = { result: QmResultRecord; cached: boolean; cpuSeconds: number; wallSeconds: number };

/**
 * Calculations in flight in this process, by result key: a second request for the same key (a retried
 * attempt, or two candidates with one geometry) waits for the first instead of running the code again.
 */
const inFlight = new Map<string, Promise<TierRun>>();

async function runTier(
  tier: TierConfig,
  geom: Geometry,
  args: { campaignId: string; idx: number },
): Promise<TierRun> {
  const profile = xtbProfile({ threads: tier.threads });
  const version = await codeVersion(profile.binary);
  const spec = specFor(tier, geom);
  const g = canonicalGeometry(geom);
  const key = resultKey(spec, version, g.hash);
  const hit = getQmResult(openStore(), key);
  if (hit) return { result: hit, cached: true, cpuSeconds: 0, wallSeconds: 0 };
  const running = inFlight.get(key);
  if (running) return { ...(await running), cached: true, cpuSeconds: 0, wallSeconds: 0 };
  const run = compute(tier, spec, geom, { key, version, geometry: g }, args);
  inFlight.set(key, run);
  try {
    return await run;
  } finally {
    inFlight.delete(key);
  }
}

async function compute(
  tier: TierConfig,
  spec: CalcSpec,
  geom: Geometry,
  id: { key: string; version: string; geometry: { hash: string; text: string } },
  args: { idx: number },
): Promise<TierRun> {
  const db = openStore();
  const ctx = Context.current();
  const execution = startExecution(db, id.key, tier.code, hostname());
  const { outcome, provenance } = await runCalculation(
    xtbTemplate,
    xtbProfile({ threads: tier.threads }),
    spec,
    geom,
    {
      workRoot: path.join(cascadeHome(), 'work'),
      timeoutMs: tier.timeoutSeconds * 1000,
      signal: ctx.cancellationSignal,
      onProgress: (p) => ctx.heartbeat({ candidate: args.idx, tier: tierName(tier), ...p }),
    },
  );
  const failure = isCalcFailure(outcome) ? outcome : undefined;
  finishExecution(db, execution, failure ? failure.kind : 'ok');
  if (failure?.kind === 'killed' || (failure?.kind === 'timeout' && ctx.cancellationSignal.aborted)) {
    // cancelled or shut down: nothing is recorded, Temporal decides whether to retry
    throw ApplicationFailure.retryable(`${tier.code} was stopped: ${failure.message}`, 'CalculationKilled');
  }
  const result: QmResultRecord = {
    key: id.key,
    code: tier.code,
    codeVersion: id.version,
    method: spec.method,
    settings: {
      task: spec.task,
      solvent: spec.solvent ?? null,
      charge: spec.charge,
      multiplicity: spec.multiplicity,
      ...spec.settings,
    },
    geometryHash: id.geometry.hash,
    status: failure ? 'failed' : 'ok',
    outputs: failure ? undefined : (outcome as unknown as Record<string, unknown>),
    failure: failure
      ? { kind: failure.kind, message: failure.message, retryable: failure.retryable }
      : undefined,
    provenance: { ...provenance, geometry: id.geometry.text },
  };
  putQmResult(db, result);
  return { result, cached: false, cpuSeconds: provenance.cpuSeconds, wallSeconds: provenance.wallSeconds };
}

function propertyOf(o: CalcOutputs, p: PropertyName): number | undefined {
  const v = (o as unknown as Record<string, unknown>)[p];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
