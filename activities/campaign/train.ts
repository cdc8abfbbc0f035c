/** trainSurrogate: fits the surrogate on every labelled result and screens the whole pool (off the event loop). */
import { Context } from '@temporalio/activity';
import { tierName } from '../../lib/campaign/schema.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import { fitForestAndPredict } from '../ml/fit-forest.js';
import { trainAndPredict } from '../ml/trainer.js';
import { getCampaign } from '../store/campaigns.js';
import { listCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { listEvaluations } from '../store/evaluations.js';
import { record } from '../store/ledger.js';
import { getPredictions, latestModel, putModel, putPredictions } from '../store/models.js';
import { poolFeatures } from './features.js';

/** Fewer labels than this and the ensemble's spread means nothing: acquisition stays random. */
export const MIN_LABELS = 4;

export interface ModelSummary {
  id: string;
  backend: string;
  trainedOn: number;
  /** The tier whose results it learned. */
  labelTier: string;
  metrics: Record<string, number>;
  cpuSeconds: number;
  energyJoules: number;
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
  // The surrogate learns the highest tier that has enough labels: early on (or with a strict promotion
  // rule) the top tier has few, and a cheaper tier's ranking is a better guide than none.
  // (Learning the difference between tiers is the Delta-learning surrogate's job.)
  let labelled: ReturnType<typeof listEvaluations> = [];
  let labelTier = '';
  for (const tier of [...config.tiers].reverse()) {
    labelTier = tierName(tier);
    labelled = listEvaluations(db, args.campaignId, labelTier).filter(
      (e) => e.status === 'ok' && e.value !== undefined,
    );
    if (labelled.length >= MIN_LABELS) break;
  }
  if (labelled.length < MIN_LABELS) return undefined;

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
  const x = new Float32Array(labelled.length * nFeatures);
  const y = new Float32Array(labelled.length);
  labelled.forEach((e, row) => {
    x.set(matrix.subarray(e.idx * nFeatures, (e.idx + 1) * nFeatures), row * nFeatures);
    y[row] = e.value as number;
  });
  const heartbeat = setInterval(() => ctx.heartbeat({ phase: 'training' }), 5000);
  let result: Awaited<ReturnType<typeof trainAndPredict>>;
  try {
    const fitAndPredict = config.surrogate.kind === 'qrf' ? fitForestAndPredict : trainAndPredict;
    result = await fitAndPredict({
      x,
      nFeatures,
      y,
      pool: matrix,
      spec: config.surrogate,
      seed: args.seed,
      onProgress: (fraction) => ctx.heartbeat({ phase: 'training', fraction }),
    });
  } finally {
    clearInterval(heartbeat);
  }
  const id = `${args.campaignId}-r${args.round}`;
  const metrics = {
    trainLoss: result.trainLoss,
    fitSeconds: result.fitSeconds,
    predictSeconds: result.predictSeconds,
    meanStd: mean(result.std),
    ...prospective,
  };
  putModel(
    db,
    {
      id,
      campaignId: args.campaignId,
      round: args.round,
      kind: config.surrogate.kind,
      backend: result.backend,
      description: { ...config.surrogate, trainedOn: labelled.length, labelTier, nFeatures },
      metrics,
    },
    result.model,
  );
  putPredictions(
    db,
    args.campaignId,
    id,
    result.mean,
    result.std,
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
    backend: result.backend,
    trainedOn: labelled.length,
    labelTier,
    metrics,
    cpuSeconds,
    energyJoules,
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
  labelled: { idx: number; round: number; value?: number }[],
): Record<string, number> {
  const db = openStore();
  const previous = latestModel(db, campaignId);
  if (!previous || previous.description.labelTier !== labelTier) return {};
  const predicted = new Map(getPredictions(db, previous.id).map((p) => [p.idx, p]));
  const fresh = labelled.filter((e) => e.round >= previous.round && predicted.has(e.idx));
  if (fresh.length < 3) return {};
  const m = surrogateMetrics(
    fresh.map((e) => e.value as number),
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
