/**
 * trainSurrogate: fits the surrogate on the labelled results (directly, or as a Delta-learning pair) and screens
 * the whole pool (off the event loop).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isClassObjective } from '../../lib/campaign/class-objective.js';
import { modelledProperties } from '../../lib/campaign/objectives.js';
import type { ModelSummary, NoModel } from '../../lib/campaign/results.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { sumUsage } from '../../lib/domain/usage.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import type { ModelMetrics } from '../../lib/surrogate/model.js';
import { copyPool, type PoolMatrix } from '../../lib/surrogate/pool-rows.js';
import type { Store } from '../../store/store.js';
import { type Fitted, fitSurrogates } from '../ml/fit.js';
import { measured } from '../usage.js';
import { trainClassModel } from './class-model.js';
import { trainFailureModel } from './failure-model.js';
import { campaignFeatures } from './features.js';
import { fitProperty } from './property-model.js';
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
export async function trainSurrogate(store: Store, args: TrainArgs): Promise<ModelSummary | NoModel> {
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
): Promise<ModelSummary | NoModel> {
  const config = args.config ?? (await storedConfig(store, args.campaignId));
  const stored = (await store.getCampaign(args.campaignId))?.config;
  // a class objective learns its class with a classifier instead of a surrogate of values
  if (stored && isClassObjective(stored.objective))
    return trainClassModel(store, { ...args, config: { ...stored, ...config } }, beat);
  // two ledger lines, so that what choosing costs can be told apart: the features (cached in the store, so
  // nearly free after the first round) and the fit and screen themselves
  const prepared = await measured(async () => {
    const set = await trainingSet(store, args.campaignId, config);
    if (!set) return undefined;
    const prospective = await prospectiveMetrics(store, args.campaignId, set.labelTier, set.labelled);
    beat({ phase: 'featurizing' });
    // bit-packed rows, row r = pool index r, read a page of candidates at a time (./features.ts)
    const features = await campaignFeatures(store, args.campaignId, config.surrogate.features, () =>
      beat({ phase: 'featurizing' }),
    );
    return { set, prospective, features };
  });
  const where = { campaignId: args.campaignId, round: args.round };
  // recorded even without a model: every CPU second a scope took must reach the ledger (activities/process-cpu.ts)
  await store.record({ ...where, activity: 'ml:featurize', usage: prepared.usage });
  // the workflow charges it too, so that its totals stay the ledger's
  if (!prepared.value) return { usage: prepared.usage };
  const { set, prospective, features } = prepared.value;
  const rows = features.packed.rows;
  const indices = Int32Array.from({ length: rows }, (_, idx) => idx);
  // the models of other properties and the failure classifier take the candidates and the packed rows
  const pool = Array.from(indices, (idx) => ({ idx }));
  const { labelTier, labelled } = set;
  const id = `${args.campaignId}-r${args.round}`;
  // later objectives and constrained properties get a surrogate each; the fits move their feature matrix away,
  // so each gets a copy of the packed rows (208 MB at a million candidates, not the 4.2 GB of dense ones)
  const properties = stored ? modelledProperties(stored) : [];
  const copies = properties.map(() => copyPool(features.packed));
  const classifier = stored?.classifier;
  const forClassifier = classifier ? copyPool(features.packed) : undefined;
  const { value: fitted, usage: fitUsage } = await measured(async () => {
    const fitted: Fitted = await fitSurrogates(set, features.packed, features.nFeatures, {
      spec: config.surrogate,
      seed: args.seed,
      // Thompson sampling draws from the ensemble's members or the forest's trees (direct fits)
      samples: stored?.acquisition.strategy === 'thompson',
      onProgress: (fraction: number) => beat({ phase: 'training', fraction }),
    });
    beat({ phase: 'storing' });
    const metrics: ModelMetrics = { ...fitted.metrics, ...prospective };
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
    await store.putPredictions(args.campaignId, id, fitted.mean, fitted.std, indices);
    if (fitted.samples) {
      await store.putPredictionSamples(args.campaignId, id, fitted.samples, Array.from(indices));
    }
    for (const [k, property] of properties.entries()) {
      await fitProperty(
        store,
        { ...args, config, id, property, pool, features: copies[k] as PoolMatrix },
        features.nFeatures,
        beat,
      );
    }
    if (classifier && forClassifier) {
      beat({ phase: 'training the failure classifier' });
      await trainFailureModel(store, {
        campaignId: args.campaignId,
        round: args.round,
        seed: args.seed,
        id,
        classifier,
        surrogate: config.surrogate,
        pool,
        features: forClassifier,
        nFeatures: features.nFeatures,
        onProgress: (fraction) => beat({ phase: 'training the failure classifier', fraction }),
      });
    }
    return { ...fitted, metrics };
  });
  await store.record({ ...where, activity: 'ml:train+screen', usage: fitUsage });
  const baseTier = set.fidelity === 'delta' ? set.baseTier : undefined;
  return {
    id,
    backend: fitted.backend,
    trainedOn: labelled.length,
    labelTier,
    fidelity: set.fidelity,
    ...(baseTier ? { baseTier } : {}),
    metrics: fitted.metrics,
    usage: sumUsage([prepared.usage, fitUsage]),
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
  const columns = await store.getPredictionColumns(previous.id);
  if (!columns) return {};
  // the pool's predictions stay in their columns: only the fresh results' rows are looked up
  const fresh = labelled.flatMap((e) => {
    const row = e.round >= previous.round ? rowOf(columns.indices, e.idx) : -1;
    return row < 0 ? [] : [{ value: e.value, row }];
  });
  if (fresh.length < 3) return {};
  const m = surrogateMetrics(
    fresh.map((e) => e.value),
    fresh.map((e) => columns.mean[e.row] as number),
    fresh.map((e) => columns.std[e.row] as number),
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

/** The row holding pool index `idx` in ascending `indices` (binary search), or -1. */
function rowOf(indices: Int32Array, idx: number): number {
  let lo = 0;
  let hi = indices.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = indices[mid] as number;
    if (v === idx) return mid;
    if (v < idx) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
