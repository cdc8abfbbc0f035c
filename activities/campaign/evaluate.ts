/**
 * evaluateCandidate: runs one candidate up the tier ladder. Every QM result is looked up by its content hash
 * first (activities/qm/calculate.ts), so a retried activity (a worker was killed) never repeats a calculation
 * that finished.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type PropertyName, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { CalculationStopped, calculate } from '../qm/calculate.js';
import { parseXyz, smilesTo3D, toXyz } from '../qm/geometry.js';
import type { CalcOutputs, Geometry } from '../qm/template.js';
import { getCampaign } from '../store/campaigns.js';
import { getCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { listEvaluations, putEvaluation } from '../store/evaluations.js';
import { record } from '../store/ledger.js';
import { getGeometry, getQmResult, putGeometry } from '../store/qm-results.js';
import { tierSpec } from './tier-spec.js';

export interface EvaluationSummary {
  idx: number;
  label: string;
  smiles: string;
  /** Index of the tier in the ladder. */
  tier: number;
  status: 'ok' | 'failed';
  /** The objective property at this tier. */
  value?: number;
  message?: string;
  cached: boolean;
  cpuSeconds: number;
  energyJoules: number;
}

const GEOMETRY_GENERATOR = 'obabel-gen3d';

export interface EvaluateArgs {
  campaignId: string;
  idx: number;
  round: number;
  /** Index into the campaign's tiers (default 0). */
  tier?: number;
}

export async function evaluateCandidate(args: EvaluateArgs): Promise<EvaluationSummary> {
  // a heartbeat for the whole activity, not only while a code runs: 3D embedding can take a while too
  const ctx = Context.current();
  const every = Math.max(1000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3);
  const beat = setInterval(() => ctx.heartbeat({ candidate: args.idx, tier: args.tier ?? 0 }), every);
  try {
    return await evaluate(args);
  } finally {
    clearInterval(beat);
  }
}

async function evaluate(args: EvaluateArgs): Promise<EvaluationSummary> {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign)
    throw ApplicationFailure.nonRetryable(`unknown campaign ${args.campaignId}`, 'UnknownCampaign');
  const { config } = campaign;
  const t = args.tier ?? 0;
  const tier = config.tiers[t];
  if (!tier)
    throw ApplicationFailure.nonRetryable(`campaign ${args.campaignId} has no tier #${t}`, 'UnknownTier');
  const [cand] = getCandidates(db, args.campaignId, [args.idx]);
  if (!cand) throw ApplicationFailure.nonRetryable(`no candidate #${args.idx}`, 'UnknownCandidate');
  const name = tierName(tier);
  const base = { idx: cand.idx, label: cand.label, smiles: cand.smiles, tier: t };
  const failed = (message: string): EvaluationSummary => {
    putEvaluation(db, args.campaignId, {
      idx: cand.idx,
      tier: name,
      round: args.round,
      status: 'failed',
      message,
      cached: false,
      cpuSeconds: 0,
      wallSeconds: 0,
    });
    return { ...base, status: 'failed', message, cached: false, cpuSeconds: 0, energyJoules: 0 };
  };

  let geom: Geometry;
  try {
    geom = await geometryFor(
      cand.smiles,
      t === 0 ? undefined : previousGeometry(args.campaignId, cand.idx, config.tiers[t - 1] as TierConfig),
    );
  } catch (e) {
    return failed(`3D embedding failed: ${(e as Error).message}`);
  }

  const r = await runTier(tier, geom, args);
  const outputs = r.record.outputs as unknown as CalcOutputs | undefined;
  const value = outputs ? propertyOf(outputs, config.objective.property) : undefined;
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
  const energyJoules = r.cached
    ? 0
    : record(db, {
        campaignId: args.campaignId,
        round: args.round,
        activity: `qm:${name}`,
        wallSeconds: r.wallSeconds,
        cpuSeconds: r.cpuSeconds,
      });
  const cost = { cached: r.cached, cpuSeconds: r.cached ? 0 : r.cpuSeconds, energyJoules };
  if (r.record.status !== 'ok' || !outputs) {
    return { ...base, ...cost, status: 'failed', message: r.record.failure?.message ?? 'no outputs' };
  }
  if (value === undefined) {
    return {
      ...base,
      ...cost,
      status: 'failed',
      message: `${name} did not report ${config.objective.property}`,
    };
  }
  return { ...base, ...cost, status: 'ok', value };
}

/** A higher tier starts from the geometry the previous tier optimised, when it did. */
function previousGeometry(campaignId: string, idx: number, previous: TierConfig): Geometry | undefined {
  const db = openStore();
  const row = listEvaluations(db, campaignId, tierName(previous)).find((e) => e.idx === idx);
  const result = row?.resultKey ? getQmResult(db, row.resultKey) : undefined;
  return (result?.outputs as { finalGeometry?: Geometry } | undefined)?.finalGeometry;
}

async function geometryFor(smiles: string, fromPreviousTier?: Geometry): Promise<Geometry> {
  if (fromPreviousTier) return fromPreviousTier;
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
      {
        spec: tierSpec(tier, geom),
        system: geom,
        timeoutSeconds: tier.timeoutSeconds,
        threads: tier.threads,
      },
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
