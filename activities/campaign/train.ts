/**
 * trainSurrogate: fits the surrogate on the labelled results (directly, or as a Delta-learning pair) and screens
 * the whole pool (off the event loop).
 */
import { Context } from '@temporalio/activity';
import type { ModelSummary } from '../../lib/campaign/results.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { identity } from '../../lib/domain/candidate.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import type { ModelMetrics } from '../../lib/surrogate/model.js';
import type { Store } from '../../store/store.js';
import { type Fitted, fitSurrogates } from '../ml/fit.js';
import { measureProcess } from '../usage.js';
import { poolFeatures } from './features.js';
import { trainingSet } from './training-set.js';

export interface TrainArgs {
  campaignId: string;
  round: number;
  seed: number;
  /** What it needs of the campaign's config; campaigns started before it was passed read the stored config. */
  config?: Pick<CampaignConfig, 'surrogate' | 'tiers'>;
}

export async function trainSurrogate(store: Store, args: TrainArgs): Promise<ModelSummary | undefined> {
  const config = args.config ?? (await storedConfig(store, args.campaignId));
  const set = await trainingSet(store, args.campaignId, config);
  if (!set) return undefined;
  const { labelTier, labelled } = set;

  const prospective = await prospectiveMetrics(store, args.campaignId, labelTier, labelled);

  const used = measureProcess();
  const ctx = Context.current();
  const pool = await store.listCandidates(args.campaignId);
  const { matrix, nFeatures } = await poolFeatures(
    store,
    pool.map((c) => identity(c)),
    config.surrogate.features,
    () => ctx.heartbeat({ phase: 'featurizing' }),
  );
  const heartbeat = setInterval(() => ctx.heartbeat({ phase: 'training' }), 5000);
  const onProgress = (fraction: number) => ctx.heartbeat({ phase: 'training', fraction });
  let fitted: Fitted;
  try {
    fitted = await fitSurrogates(set, matrix, nFeatures, {
      spec: config.surrogate,
      seed: args.seed,
      onProgress,
    });
  } finally {
    clearInterval(heartbeat);
  }
  const id = `${args.campaignId}-r${args.round}`;
  const metrics: ModelMetrics = { ...fitted.metrics, ...prospective };
  const baseTier = set.fidelity === 'delta' ? set.baseTier : undefined;
  await store.putModel(
    {
      id,
      campaignId: args.campaignId,
      round: args.round,
      kind: config.surrogate.kind,
      backend: fitted.backend,
      description: fitted.description,
      metrics,
    },
    fitted.model,
  );
  await store.putPredictions(
    args.campaignId,
    id,
    fitted.mean,
    fitted.std,
    pool.map((c) => c.idx),
  );
  const usage = used();
  await store.record({ campaignId: args.campaignId, round: args.round, activity: 'ml:train+screen', usage });
  return {
    id,
    backend: fitted.backend,
    trainedOn: labelled.length,
    labelTier,
    fidelity: set.fidelity,
    ...(baseTier ? { baseTier } : {}),
    metrics,
    usage,
  };
}

async function storedConfig(store: Store, campaignId: string): Promise<CampaignConfig> {
  const campaign = await store.getCampaign(campaignId);
  if (!campaign) throw new Error(`unknown campaign ${campaignId}`);
  return campaign.config;
}

/**
 * How the previous model did on the results that came in since it was trained: a prospective test on data it
 * never saw (the batch it chose), free of charge, recorded with the new model as `last*` metrics.
 */
async function prospectiveMetrics(
  store: Store,
  campaignId: string,
  labelTier: string,
  labelled: { idx: number; round: number; value: number }[],
): Promise<ModelMetrics> {
  const previous = await store.latestModel(campaignId);
  if (!previous || previous.description.labelTier !== labelTier) return {};
  const predicted = new Map((await store.getPredictions(previous.id)).map((p) => [p.idx, p]));
  const fresh = labelled.filter((e) => e.round >= previous.round && predicted.has(e.idx));
  if (fresh.length < 3) return {};
  const m = surrogateMetrics(
    fresh.map((e) => e.value),
    fresh.map((e) => predicted.get(e.idx)?.mean as number),
    fresh.map((e) => predicted.get(e.idx)?.std as number),
  );
  return {
    lastN: m.n,
    lastMae: m.mae,
    lastRmse: m.rmse,
    lastR2: m.r2,
    lastSpearman: m.spearman,
    lastNll: m.nll,
    lastCoverage90: m.coverage90,
    lastMiscalibrationArea: m.miscalibrationArea,
  };
}
