/**
 * evaluateCandidate: runs one candidate up the tier ladder. Every QM result is looked up by its content hash
 * first (activities/qm/calculate.ts), so a retried activity (a worker was killed) never repeats a calculation
 * that finished.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type PropertyName, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { CalculationStopped, calculate } from '../qm/calculate.js';
import { xtbSpec } from '../qm/codes/xtb.js';
import { parseXyz, smilesTo3D, toXyz } from '../qm/geometry.js';
import type { CalcOutputs, Geometry } from '../qm/template.js';
import { getCampaign } from '../store/campaigns.js';
import { getCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { putEvaluation } from '../store/evaluations.js';
import { record } from '../store/ledger.js';
import { getGeometry, putGeometry } from '../store/qm-results.js';

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
    const value = r.record.outputs
      ? propertyOf(r.record.outputs as unknown as CalcOutputs, config.objective.property)
      : undefined;
    putEvaluation(db, args.campaignId, {
      idx: cand.idx,
      tier: name,
      round: args.round,
      resultKey: r.record.key,
      status: r.record.status,
      value,
      message: r.record.failure?.message,
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
    if (r.record.status !== 'ok' || !r.record.outputs) {
      return { ...summary, status: 'failed', message: r.record.failure?.message ?? 'no outputs' };
    }
    outputs = r.record.outputs as unknown as CalcOutputs;
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

/** Runs one tier through the cache; a stopped calculation is left for Temporal to retry. */
async function runTier(tier: TierConfig, geom: Geometry, args: { idx: number }) {
  const ctx = Context.current();
  try {
    return await calculate(
      { spec: xtbSpec(tier, geom), system: geom, timeoutSeconds: tier.timeoutSeconds, threads: tier.threads },
      {
        signal: ctx.cancellationSignal,
        onProgress: (p) => ctx.heartbeat({ candidate: args.idx, tier: tierName(tier), ...p }),
      },
    );
  } catch (e) {
    if (e instanceof CalculationStopped) throw ApplicationFailure.retryable(e.message, 'CalculationKilled');
    throw e;
  }
}

function propertyOf(o: CalcOutputs, p: PropertyName): number | undefined {
  const v = (o as unknown as Record<string, unknown>)[p];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
