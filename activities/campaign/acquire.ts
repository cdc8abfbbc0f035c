/** acquireBatch: picks the next candidates from the latest predictions (or at random before any model). */

import { roundContext } from '../../lib/acquisition/campaign-context.js';
import { classRanking } from '../../lib/acquisition/class-ranking.js';
import { expectedCost, fitCostModel, reachOf } from '../../lib/acquisition/cost-model.js';
import type { PropertyPrediction } from '../../lib/acquisition/feasibility.js';
import { type AcquisitionContext, acquire, shortlist } from '../../lib/acquisition/index.js';
import { objectivesContext, predictedProperties } from '../../lib/acquisition/objectives-context.js';
import { isClassObjective } from '../../lib/campaign/class-objective.js';
import { constraintsOf, isMultiObjective } from '../../lib/campaign/objectives.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { Usage } from '../../lib/domain/usage.js';
import { SUCCESS_PROPERTY } from '../../lib/surrogate/kinds.js';
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
  if (predictions && acquisition.strategy === 'thompson') {
    const samples = await samplesOf(store, args.modelId as string, predictions.mean);
    if (samples) Object.assign(predictions, { samples });
  }
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
  if (predictions) {
    const campaign = await store.getCampaign(args.campaignId);
    const success = await successOf(store, args.campaignId, poolSize);
    if (success) ctx.feasibility = success;
    if (campaign && (isMultiObjective(campaign.config) || constraintsOf(campaign.config).length > 0)) {
      Object.assign(
        ctx,
        await objectivesOfRound(
          store,
          args.campaignId,
          campaign.config,
          predictions,
          evaluations,
          model?.description.labelTier,
          success,
        ),
      );
    }
  }
  // a class objective ranks by the probability of a hit, weighed by feasibility (lib/acquisition/class-ranking.ts)
  const ranking = isClassObjective(objective) ? classRanking(ctx) : ctx;
  const wanted = shortlist(ranking);
  if (wanted.length > 0 && model) {
    ranking.features = await fingerprints(
      store,
      args.campaignId,
      wanted,
      model.description.settings.features,
    );
  }
  return acquire(ranking);
}

/**
 * What several objectives and constraints add to the context (lib/acquisition/objectives-context.ts), from the
 * store: each property's predictions (the first objective's from the campaign's surrogate, any other from its
 * own surrogate), the molecules' SA scores, and the successful results at the surrogate's label tier. A property
 * whose surrogate is not trained yet (too few results report it) gets an uninformed prior: the observed mean and
 * spread.
 */
async function objectivesOfRound(
  store: Store,
  campaignId: string,
  config: CampaignConfig,
  primary: { mean: Float64Array; std: Float64Array },
  evaluations: readonly EvaluationRecord[],
  labelTier: string | undefined,
  success: Float64Array | undefined,
): Promise<Pick<AcquisitionContext, 'multi' | 'feasibility'>> {
  const poolSize = primary.mean.length;
  const candidates = await store.listCandidates(campaignId);
  const sa = new Float64Array(poolSize).fill(Number.NaN);
  for (const c of candidates) if (c.kind === 'molecule' && c.saScore !== undefined) sa[c.idx] = c.saScore;
  const predictions: Record<string, PropertyPrediction> = {};
  for (const property of predictedProperties(config)) {
    if (property === config.objective.property) predictions[property] = primary;
    else {
      const model = await store.latestModel(campaignId, property);
      predictions[property] = model
        ? await predictionsOf(store, model.id, poolSize)
        : prior(evaluations, property, poolSize);
    }
  }
  return objectivesContext({
    config,
    poolSize,
    predictions,
    saScores: sa,
    observed: evaluations.filter(
      (e) => e.status === 'ok' && (labelTier === undefined || e.tier === labelTier),
    ),
    ...(success ? { success } : {}),
  });
}

/**
 * The failure classifier's probability that each candidate's calculations succeed (`classifier:`), from its
 * latest model; undefined when the campaign has none or it has not trained yet.
 */
async function successOf(
  store: Store,
  campaignId: string,
  poolSize: number,
): Promise<Float64Array | undefined> {
  const model = await store.latestModel(campaignId, SUCCESS_PROPERTY);
  return model ? (await predictionsOf(store, model.id, poolSize)).mean : undefined;
}

/** Before a property's surrogate exists: every candidate at the observed mean, with the observed spread. */
function prior(evaluations: readonly EvaluationRecord[], property: string, poolSize: number) {
  const seen = evaluations.flatMap((e) => {
    const v = e.values?.[property];
    return e.status === 'ok' && v !== undefined && Number.isFinite(v) ? [v] : [];
  });
  const m = seen.length > 0 ? seen.reduce((a, b) => a + b, 0) / seen.length : 0;
  const sd = seen.length > 1 ? Math.sqrt(seen.reduce((a, v) => a + (v - m) ** 2, 0) / (seen.length - 1)) : 1;
  return { mean: new Float64Array(poolSize).fill(m), std: new Float64Array(poolSize).fill(sd > 0 ? sd : 1) };
}

/**
 * The ensemble members' predictions per pool index (Thompson sampling), where the model stored them; a candidate
 * a member has no value for takes the mean.
 */
async function samplesOf(
  store: Store,
  modelId: string,
  mean: Float64Array,
): Promise<Float64Array[] | undefined> {
  const stored = await store.getPredictionSamples(modelId);
  if (!stored) return undefined;
  return stored.members.map((member) => {
    const draw = Float64Array.from(mean);
    stored.indices.forEach((idx, r) => {
      draw[idx] = member[r] as number;
    });
    return draw;
  });
}

/** A model's mean and std per pool index (0 where it has none), from the stored columns. */
async function predictionsOf(store: Store, modelId: string, poolSize: number) {
  const mean = new Float64Array(poolSize);
  const std = new Float64Array(poolSize);
  const columns = await store.getPredictionColumns(modelId);
  if (columns) {
    const { indices } = columns;
    for (let r = 0; r < indices.length; r++) {
      const idx = indices[r] as number;
      mean[idx] = columns.mean[r] as number;
      std[idx] = columns.std[r] as number;
    }
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
    heavy[c.idx] = c.kind === 'molecule' ? c.heavyAtoms : c.structure.symbols.length;
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
  const { matrix, nFeatures } = await poolFeatures(store, candidates, spec);
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
