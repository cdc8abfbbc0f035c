/**
 * evaluateBatch: candidates of one round at one tier of the ladder, run side by side as the worker's calculation
 * slots allow, with one summary per candidate (a calculation that failed is a 'failed' summary, not an error).
 * Every QM result is looked up by its content hash first (activities/qm/calculate.ts), and the heartbeats carry
 * the summaries finished so far: a retried batch (a worker was killed) repeats no calculation that finished and
 * reports the ones it finished as they were. evaluateCandidate is the same for one candidate, for campaigns that
 * started before batches (workflows/campaign.ts).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  type CampaignConfig,
  type PropertyName,
  type TierConfig,
  tierName,
} from '../../lib/campaign/schema.js';
import { CalculationStopped, calculate } from '../qm/calculate.js';
import type { Progress } from '../qm/runner.js';
import { storedGeometry } from '../qm/stored-geometry.js';
import type { CalcOutputs, Geometry } from '../qm/template.js';
import { getCampaign } from '../store/campaigns.js';
import { type CandidateRow, getCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { getEvaluation, putEvaluation } from '../store/evaluations.js';
import { estimatedJoules, record } from '../store/ledger.js';
import { getQmResult } from '../store/qm-results.js';
import { hasLadder, runLadderTier } from './cbs-tier.js';
import { inCalculationSlot } from './slots.js';
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

export interface EvaluateBatchArgs {
  campaignId: string;
  /** Candidates, by index in the campaign's pool; the summaries come back in this order. */
  idxs: number[];
  round: number;
  /** Index into the campaign's tiers (default 0). */
  tier?: number;
}

export interface EvaluateArgs {
  campaignId: string;
  idx: number;
  round: number;
  /** Index into the campaign's tiers (default 0). */
  tier?: number;
}

/** What a batch's heartbeats carry: the summaries so far, and where the running calculations are. */
interface BatchHeartbeat {
  round: number;
  tier: number;
  done: EvaluationSummary[];
  running: Array<{ idx: number } & Progress>;
}

export async function evaluateBatch(args: EvaluateBatchArgs): Promise<EvaluationSummary[]> {
  const ctx = Context.current();
  const t = args.tier ?? 0;
  const done = new Map(finishedEarlier(ctx.info.heartbeatDetails, args.round, t).map((s) => [s.idx, s]));
  const running = new Map<number, { idx: number } & Progress>();
  const beat = () =>
    ctx.heartbeat({ round: args.round, tier: t, done: [...done.values()], running: [...running.values()] });
  // a heartbeat for the whole activity, not only while a code runs: 3D embedding and waiting for a slot too
  const timer = setInterval(beat, Math.max(1000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  try {
    const batch = loadBatch(args, ctx.cancellationSignal);
    // finished by an earlier attempt after its last heartbeat (the worker died): the store has them, with their
    // CPU time, which a rerun would report as a cache hit that cost nothing (the ledger already holds the entry)
    for (const cand of batch.candidates) {
      if (done.has(cand.idx)) continue;
      const stored = finishedInStore(batch, cand, args.round);
      if (stored) done.set(cand.idx, stored);
    }
    const settled = await Promise.allSettled(
      batch.candidates.map(async (cand) => {
        const earlier = done.get(cand.idx);
        if (earlier) return earlier;
        const summary = await inCalculationSlot(async () => {
          try {
            return await evaluateOne(batch, cand, args.round, (p) =>
              running.set(cand.idx, { idx: cand.idx, ...p }),
            );
          } finally {
            running.delete(cand.idx);
          }
        });
        done.set(cand.idx, summary);
        return summary;
      }),
    );
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (errors.length > 0) {
      beat();
      throw errors.find((e) => e instanceof ApplicationFailure && e.nonRetryable) ?? errors[0];
    }
    return settled.map((s) => (s as PromiseFulfilledResult<EvaluationSummary>).value);
  } finally {
    clearInterval(timer);
  }
}

export async function evaluateCandidate(args: EvaluateArgs): Promise<EvaluationSummary> {
  const [summary] = await evaluateBatch({ ...args, idxs: [args.idx] });
  return summary as EvaluationSummary;
}

/** The summaries a previous attempt of this batch finished, from its last heartbeat. */
function finishedEarlier(details: unknown, round: number, tier: number): EvaluationSummary[] {
  const d = details as Partial<BatchHeartbeat> | undefined;
  return d?.round === round && d.tier === tier && Array.isArray(d.done) ? d.done : [];
}

interface Batch {
  campaignId: string;
  config: CampaignConfig;
  /** Index of the tier in the ladder, the tier, and the one below it (whose geometry a higher tier starts from). */
  t: number;
  tier: TierConfig;
  previous?: TierConfig;
  candidates: CandidateRow[];
  /** The activity's cancellation: kills its calculations. */
  signal: AbortSignal;
}

function loadBatch(args: EvaluateBatchArgs, signal: AbortSignal): Batch {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign)
    throw ApplicationFailure.nonRetryable(`unknown campaign ${args.campaignId}`, 'UnknownCampaign');
  const { config } = campaign;
  const t = args.tier ?? 0;
  const tier = config.tiers[t];
  if (!tier)
    throw ApplicationFailure.nonRetryable(`campaign ${args.campaignId} has no tier #${t}`, 'UnknownTier');
  let candidates: CandidateRow[];
  try {
    candidates = getCandidates(db, args.campaignId, args.idxs);
  } catch (e) {
    throw ApplicationFailure.nonRetryable((e as Error).message, 'UnknownCandidate');
  }
  return { campaignId: args.campaignId, config, t, tier, previous: config.tiers[t - 1], candidates, signal };
}

async function evaluateOne(
  batch: Batch,
  cand: CandidateRow,
  round: number,
  onProgress: (p: Progress) => void,
): Promise<EvaluationSummary> {
  const { campaignId, config, tier } = batch;
  const db = openStore();
  const name = tierName(tier);
  const failed = (message: string): EvaluationSummary => {
    putEvaluation(db, campaignId, {
      idx: cand.idx,
      tier: name,
      round,
      status: 'failed',
      message,
      cached: false,
      cpuSeconds: 0,
      wallSeconds: 0,
    });
    return summaryOf(batch, cand, { cached: false, cpuSeconds: 0, energyJoules: 0 }, undefined, message);
  };
  // waited for a slot while the batch was cancelled: nothing is started
  if (batch.signal.aborted) {
    throw ApplicationFailure.retryable(`evaluation of #${cand.idx} was cancelled`, 'CalculationKilled');
  }

  let geom: Geometry;
  try {
    geom = await geometryFor(
      cand.smiles,
      batch.previous ? previousGeometry(campaignId, cand.idx, batch.previous) : undefined,
    );
  } catch (e) {
    return failed(`3D embedding failed: ${(e as Error).message}`);
  }

  const r = hasLadder(tier)
    ? await runLadderTier(tier, geom, { campaignId, round, idx: cand.idx, tierName: name }, (basis) =>
        runTier({ ...tier, basis }, geom, { signal: batch.signal, onProgress }),
      )
    : await runTier(tier, geom, { signal: batch.signal, onProgress });
  const outputs = r.record.outputs as unknown as CalcOutputs | undefined;
  const value = outputs ? propertyOf(outputs, config.objective.property) : undefined;
  // the evaluation and its ledger entry in one transaction: one write to the store, not two
  const energyJoules = db.transaction(() => {
    putEvaluation(db, campaignId, {
      idx: cand.idx,
      tier: name,
      round,
      resultKey: r.record.key,
      status: r.record.status,
      value,
      message: r.record.failure?.message,
      cached: r.cached,
      cpuSeconds: r.cached ? 0 : r.cpuSeconds,
      wallSeconds: r.cached ? 0 : r.wallSeconds,
    });
    return r.cached
      ? 0
      : record(db, {
          campaignId,
          round,
          activity: `qm:${name}`,
          wallSeconds: r.wallSeconds,
          cpuSeconds: r.cpuSeconds,
        });
  })();
  const cost = { cached: r.cached, cpuSeconds: r.cached ? 0 : r.cpuSeconds, energyJoules };
  const failure =
    r.record.status !== 'ok' || !outputs ? (r.record.failure?.message ?? 'no outputs') : undefined;
  return summaryOf(batch, cand, cost, value, failure);
}

/** The candidate's evaluation at this tier, when this round already stored one with a result. */
function finishedInStore(batch: Batch, cand: CandidateRow, round: number): EvaluationSummary | undefined {
  const e = getEvaluation(openStore(), batch.campaignId, cand.idx, tierName(batch.tier));
  if (e?.round !== round || e.resultKey === undefined) return undefined;
  const cost = {
    cached: e.cached,
    cpuSeconds: e.cpuSeconds,
    energyJoules: e.cached ? 0 : estimatedJoules(e.cpuSeconds),
  };
  return summaryOf(batch, cand, cost, e.value, e.status === 'ok' ? undefined : e.message);
}

/** A candidate's summary: failed with the code's message, failed for want of the objective, or its value. */
function summaryOf(
  batch: Batch,
  cand: CandidateRow,
  cost: Pick<EvaluationSummary, 'cached' | 'cpuSeconds' | 'energyJoules'>,
  value: number | undefined,
  failure: string | undefined,
): EvaluationSummary {
  const base = { idx: cand.idx, label: cand.label, smiles: cand.smiles, tier: batch.t, ...cost };
  const lacking = `${tierName(batch.tier)} did not report ${batch.config.objective.property}`;
  if (failure !== undefined || value === undefined) {
    return { ...base, status: 'failed', message: failure ?? lacking };
  }
  return { ...base, status: 'ok', value };
}

/** A higher tier starts from the geometry the previous tier optimised, when it did. */
function previousGeometry(campaignId: string, idx: number, previous: TierConfig): Geometry | undefined {
  const db = openStore();
  const row = getEvaluation(db, campaignId, idx, tierName(previous));
  const result = row?.resultKey ? getQmResult(db, row.resultKey) : undefined;
  return (result?.outputs as { finalGeometry?: Geometry } | undefined)?.finalGeometry;
}

function geometryFor(smiles: string, fromPreviousTier?: Geometry): Promise<Geometry> {
  return fromPreviousTier ? Promise.resolve(fromPreviousTier) : storedGeometry(smiles);
}

/** Runs one tier through the cache; a stopped calculation is left for Temporal to retry. */
async function runTier(
  tier: TierConfig,
  geom: Geometry,
  opts: { signal: AbortSignal; onProgress: (p: Progress) => void },
) {
  try {
    return await calculate(
      {
        spec: tierSpec(tier, geom),
        system: geom,
        timeoutSeconds: tier.timeoutSeconds,
        threads: tier.threads,
      },
      opts,
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
