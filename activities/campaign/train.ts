/**
 * trainSurrogate: fits the surrogate on the labelled results (directly, or as a Delta-learning pair) and screens
 * the whole pool (off the event loop).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ModelSummary } from '../../lib/campaign/results.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { identity } from '../../lib/domain/candidate.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import type { ModelMetrics } from '../../lib/surrogate/model.js';
import type { Store } from '../../store/store.js';
import { type Fitted, fitSurrogates } from '../ml/fit.js';
import { measureProcess } from '../usage.js';
import { poolFeatures } from './features.js';
import { errorsSoFar, rethrowCounted } from './repeated-errors.js';
import { trainingSet } from './training-set.js';

export interface TrainArgs {
  campaignId: string;
  round: number;
  seed: number;
  /** What it needs of the campaign's config; campaigns started before it was passed read the stored config. */
  config?: Pick<CampaignConfig, 'surrogate' | 'tiers'>;
}

/**
 * Heartbeats from start to end, at a third of the heartbeat timeout (every 5 s at most): featurising and fitting
 * run off the event loop, so a worker that died is noticed within the timeout (20 s, workflows/campaign.ts).
 */
export async function trainSurrogate(store: Store, args: TrainArgs): Promise<ModelSummary | undefined> {
  const ctx = Context.current();
  let errors = errorsSoFar(ctx.info.heartbeatDetails);
  let phase: Record<string, unknown> = { phase: 'starting' };
  const beat = (now?: Record<string, unknown>) => {
    if (now) phase = now;
    ctx.heartbeat({ ...phase, errors });
  };
  beat();
  const timer = setInterval(
    beat,
    Math.min(5000, Math.max(1000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3)),
  );
  try {
    return await train(store, args, beat);
  } catch (e) {
    rethrowCounted(e, errors, (n) => {
      errors = n;
      beat();
    });
  } finally {
    clearInterval(timer);
  }
}

async function train(
  store: Store,
  args: TrainArgs,
  beat: (phase: Record<string, unknown>) => void,
): Promise<ModelSummary | undefined> {
  const config = args.config ?? (await storedConfig(store, args.campaignId));
  const set = await trainingSet(store, args.campaignId, config);
  if (!set) return undefined;
  const { labelTier, labelled } = set;

  const prospective = await prospectiveMetrics(store, args.campaignId, labelTier, labelled);

  const used = measureProcess();
  const pool = await store.listCandidates(args.campaignId);
  beat({ phase: 'featurizing' });
  const { matrix, nFeatures } = await poolFeatures(
    store,
    pool.map((c) => identity(c)),
    config.surrogate.features,
    () => beat({ phase: 'featurizing' }),
  );
  const fitted: Fitted = await fitSurrogates(set, matrix, nFeatures, {
    spec: config.surrogate,
    seed: args.seed,
    onProgress: (fraction: number) => beat({ phase: 'training', fraction }),
  });
  beat({ phase: 'storing' });
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
  if (!campaign) throw ApplicationFailure.nonRetryable(`unknown campaign ${campaignId}`, 'UnknownCampaign');
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
