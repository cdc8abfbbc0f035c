/**
 * trainSurrogate: fits the surrogate on the labelled results (directly, or as a Delta-learning pair) and screens
 * the whole pool (off the event loop).
 */
import { Context } from '@temporalio/activity';
import { surrogateMetrics } from '../../lib/metrics.js';
import { fitDeltaAndScreen } from '../ml/delta.js';
import { fitAndScreen, type Recalibration } from '../ml/fit-and-screen.js';
import { getCampaign } from '../store/campaigns.js';
import { listCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { record } from '../store/ledger.js';
import { getPredictions, latestModel, putModel, putPredictions } from '../store/models.js';
import { poolFeatures } from './features.js';
import { type TrainingSet, trainingSet } from './training-set.js';

export interface ModelSummary {
  id: string;
  backend: string;
  trainedOn: number;
  /** The tier whose results it learned. */
  labelTier: string;
  /** direct: it learned labelTier's values; delta: labelTier minus baseTier, added to baseTier. */
  fidelity: 'direct' | 'delta';
  baseTier?: string;
  metrics: Record<string, number>;
  cpuSeconds: number;
  energyJoules: number;
}

/** What either way of fitting gives back. */
interface Fitted {
  mean: Float32Array;
  std: Float32Array;
  model: Uint8Array;
  backend: string;
  metrics: Record<string, number>;
}

export async function trainSurrogate(args: {
  campaignId: string;
  round: number;
  seed: number;
}): Promise<ModelSummary | undefined> {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  const { config } = campaign;
  const set = trainingSet(db, args.campaignId, config);
  if (!set) return undefined;
  const { labelTier, labelled } = set;

  const prospective = prospectiveMetrics(args.campaignId, labelTier, labelled);

  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const ctx = Context.current();
  const pool = listCandidates(db, args.campaignId);
  const { matrix, nFeatures } = await poolFeatures(
    pool.map((c) => c.smiles),
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
  const metrics = { ...fitted.metrics, meanStd: mean(fitted.std), ...prospective };
  const baseTier = set.fidelity === 'delta' ? set.baseTier : undefined;
  putModel(
    db,
    {
      id,
      campaignId: args.campaignId,
      round: args.round,
      kind: config.surrogate.kind,
      backend: fitted.backend,
      description: {
        ...config.surrogate,
        // the mode this model used (a delta campaign learns directly until both tiers have enough results)
        fidelity: set.fidelity,
        ...(set.fidelity === 'delta' ? { baseTier, baseTrainedOn: set.base.length } : {}),
        ...(set.fidelity === 'direct' && set.note ? { fidelityNote: set.note } : {}),
        trainedOn: labelled.length,
        labelTier,
        nFeatures,
      },
      metrics,
    },
    fitted.model,
  );
  putPredictions(
    db,
    args.campaignId,
    id,
    fitted.mean,
    fitted.std,
    pool.map((c) => c.idx),
  );
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const energyJoules = record(db, {
    campaignId: args.campaignId,
    round: args.round,
    activity: 'ml:train+screen',
    wallSeconds: (performance.now() - wall0) / 1000,
    cpuSeconds,
  });
  return {
    id,
    backend: fitted.backend,
    trainedOn: labelled.length,
    labelTier,
    fidelity: set.fidelity,
    ...(baseTier ? { baseTier } : {}),
    metrics,
    cpuSeconds,
    energyJoules,
  };
}

/** Fits the training set's surrogate(s) and predicts the pool (row = candidate idx); moves `pool` away. */
async function fitSurrogates(
  set: TrainingSet,
  pool: Float32Array,
  nFeatures: number,
  opts: Pick<Parameters<typeof fitAndScreen>[0], 'spec' | 'seed' | 'onProgress'>,
): Promise<Fitted> {
  const labels = (es: TrainingSet['labelled']) => ({
    rows: es.map((e) => e.idx),
    values: es.map((e) => e.value),
  });
  if (set.fidelity === 'delta') {
    const r = await fitDeltaAndScreen({
      pool,
      nFeatures,
      lower: labels(set.base),
      upper: labels(set.labelled),
      ...opts,
      transfer: true,
    });
    return {
      ...r,
      metrics: {
        trainLoss: r.delta.trainLoss,
        baseTrainLoss: r.base.trainLoss,
        baseTrainedOn: set.base.length,
        fitSeconds: r.base.fitSeconds + r.delta.fitSeconds,
        predictSeconds: r.base.predictSeconds + r.delta.predictSeconds,
        ...recalibrated(r.delta.recalibration),
        ...(r.base.recalibration
          ? {
              baseStdScale: r.base.recalibration.scale,
              baseHeldOutCoverage90: r.base.recalibration.rawCoverage90,
            }
          : {}),
      },
    };
  }
  const x = new Float32Array(set.labelled.length * nFeatures);
  const y = new Float32Array(set.labelled.length);
  set.labelled.forEach((e, row) => {
    x.set(pool.subarray(e.idx * nFeatures, (e.idx + 1) * nFeatures), row * nFeatures);
    y[row] = e.value;
  });
  const r = await fitAndScreen({ x, nFeatures, y, pool, ...opts, transfer: true });
  return {
    ...r,
    metrics: {
      trainLoss: r.trainLoss,
      fitSeconds: r.fitSeconds,
      predictSeconds: r.predictSeconds,
      ...recalibrated(r.recalibration),
    },
  };
}

/** stdScale: the factor applied to every predicted std, and the held-out figures it was chosen on. */
function recalibrated(r: Recalibration | undefined): Record<string, number> {
  if (!r) return {};
  return {
    stdScale: r.scale,
    recalibrationFolds: r.folds,
    recalibrationPoints: r.points,
    heldOutCoverage90: r.rawCoverage90,
  };
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : 0;
}

/**
 * How the previous model did on the results that came in since it was trained: a prospective test on data it
 * never saw (the batch it chose), free of charge, recorded with the new model as `last*` metrics.
 */
function prospectiveMetrics(
  campaignId: string,
  labelTier: string,
  labelled: { idx: number; round: number; value: number }[],
): Record<string, number> {
  const db = openStore();
  const previous = latestModel(db, campaignId);
  if (!previous || previous.description.labelTier !== labelTier) return {};
  const predicted = new Map(getPredictions(db, previous.id).map((p) => [p.idx, p]));
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
