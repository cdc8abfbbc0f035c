/** acquireBatch: picks the next candidates from the latest predictions (or at random before any model). */
import { acquire } from '../../lib/acquisition/index.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { pickBest } from '../../lib/domain/objective.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { Store } from '../../store/store.js';
import { measured } from '../usage.js';

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
  return acquire({
    strategy: acquisition.strategy,
    // before any model (and for `random`), the registry draws a seeded random batch
    predictions: args.modelId ? await predictionsOf(store, args.modelId, poolSize) : undefined,
    poolSize,
    exclude,
    batchSize: args.size,
    objective,
    // the best result so far on the scale the surrogate predicts: its label tier's
    bestSoFar: pickBest(
      objective,
      evaluations.filter((e) => e.status === 'ok' && e.tier === model?.description.labelTier),
      (e) => e.value,
    )?.value,
    params: { kappa: acquisition.kappa },
    seed: args.seed,
  });
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

async function campaignParts(
  store: Store,
  args: AcquireBatchArgs,
): Promise<Pick<CampaignConfig, 'acquisition' | 'objective'>> {
  if (args.acquisition && args.objective) return { acquisition: args.acquisition, objective: args.objective };
  const campaign = await store.getCampaign(args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  return campaign.config;
}
