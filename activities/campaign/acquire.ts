/** acquireBatch: picks the next candidates from the latest predictions (or at random before any model). */

import { roundContext } from '../../lib/acquisition/campaign-context.js';
import { expectedCost, fitCostModel, reachOf } from '../../lib/acquisition/cost-model.js';
import { acquire, shortlist } from '../../lib/acquisition/index.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { identity } from '../../lib/domain/candidate.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { EvaluationRecord, Store } from '../../store/store.js';
import { measured } from '../usage.js';
import { type FeatureSpec, poolFeatures } from './features.js';

export interface AcquireBatchArgs {
  campaignId: string;
  round: number;
  modelId?: string;
  size: number;
  seed: number;
  /** What it needs of the campaign's config; campaigns started before it was passed read the stored config. */
  acquisition?: CampaignConfig['acquisition'];
  objective?: CampaignConfig['objective'];
}

export async function acquireBatch(
  store: Store,
  args: AcquireBatchArgs,
): Promise<{ indices: number[]; usage: Usage }> {
  const { value: indices, usage } = await measured(() => choose(store, args));
  await store.record({ campaignId: args.campaignId, round: args.round, activity: 'acquire', usage });
  return { indices, usage };
}

async function choose(store: Store, args: AcquireBatchArgs): Promise<number[]> {
  const { acquisition, objective } = await campaignParts(store, args);
  const evaluations = await store.listEvaluations(args.campaignId);
  const exclude = new Set(evaluations.map((e) => e.idx));
  const poolSize = await store.countCandidates(args.campaignId);
  const model = args.modelId ? await store.latestModel(args.campaignId) : undefined;
  // the results the surrogate learned, on the scale it predicts: its label tier's
  const labelled = evaluations.filter((e) => e.status === 'ok' && e.tier === model?.description.labelTier);
  // before any model (and for `random`), the registry draws a seeded random batch
  const predictions = args.modelId ? await predictionsOf(store, args.modelId, poolSize) : undefined;
  const costs =
    predictions && acquisition.costAware
      ? await predictedCosts(store, args.campaignId, evaluations, poolSize)
      : undefined;
  const ctx = roundContext({
    acquisition,
    objective,
    predictions,
    poolSize,
    evaluated: exclude,
    labelled,
    batchSize: args.size,
    seed: args.seed,
    cost: () => costs,
  });
  const wanted = shortlist(ctx);
  if (wanted.length > 0 && model) {
    ctx.features = await fingerprints(store, args.campaignId, wanted, model.description.settings.features);
  }
  return acquire(ctx);
}

/** A model's mean and std per pool index. */
async function predictionsOf(store: Store, modelId: string, poolSize: number) {
  const mean = new Float64Array(poolSize);
  const std = new Float64Array(poolSize);
  for (const p of await store.getPredictions(modelId)) {
    mean[p.idx] = p.mean;
    std[p.idx] = p.std;
  }
  return { mean, std };
}

/**
 * Each candidate's expected CPU seconds through the tiers (lib/acquisition/cost-model.ts), fitted on the
 * evaluations that ran (cache hits cost nothing and say nothing). Until a tier has a measured evaluation every
 * candidate costs 1: the ranking is the strategy's own.
 */
async function predictedCosts(
  store: Store,
  campaignId: string,
  evaluations: readonly EvaluationRecord[],
  poolSize: number,
): Promise<Float64Array> {
  const heavy = new Float64Array(poolSize);
  for (const c of await store.listCandidates(campaignId))
    heavy[c.idx] = c.kind === 'molecule' ? c.heavyAtoms : 0;
  const model = fitCostModel(
    evaluations
      .filter((e) => !e.cached)
      .map((e) => ({ tier: e.tier, heavyAtoms: heavy[e.idx] as number, cost: e.cpuSeconds })),
  );
  const reach = reachOf(evaluations);
  return Float64Array.from(heavy, (h) => expectedCost(model, reach, h) ?? 1);
}

/**
 * The Morgan fingerprint bits of the shortlisted candidates, from the feature rows the surrogate was screened
 * with (cached in the store: no RDKit work unless a row is missing). Crystals have no fingerprint.
 */
async function fingerprints(
  store: Store,
  campaignId: string,
  indices: readonly number[],
  spec: FeatureSpec,
): Promise<(idx: number) => Float32Array> {
  const candidates = await store.getCandidates(campaignId, indices);
  if (candidates.some((c) => c.kind !== 'molecule')) {
    throw new Error(
      'acquisition diversity compares Morgan fingerprints, which crystal candidates do not have',
    );
  }
  const { matrix, nFeatures } = await poolFeatures(store, candidates.map(identity), spec);
  // a row is the fingerprint's bits, then the descriptors
  const rows = new Map(
    indices.map((idx, r) => [idx, matrix.subarray(r * nFeatures, r * nFeatures + spec.morganBits)]),
  );
  return (idx) => {
    const row = rows.get(idx);
    if (!row) throw new Error(`no fingerprint fetched for candidate #${idx}`);
    return row;
  };
}

async function campaignParts(
  store: Store,
  args: AcquireBatchArgs,
): Promise<Pick<CampaignConfig, 'acquisition' | 'objective'>> {
  if (args.acquisition && args.objective) return { acquisition: args.acquisition, objective: args.objective };
  const campaign = await store.getCampaign(args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  return campaign.config;
}
