/**
 * The campaign's failure classifier at a retrain (`classifier:` in the campaign file): each evaluated candidate
 * is a success (every calculation it had succeeded) or a failure (one failed: SCF, optimisation, geometry, time
 * limit), the latent binary-encoding network learns which from its features (activities/ml/lbe/failures.ts),
 * and its probability of success for every pool candidate is stored as the predictions of model `ID~success`.
 * Nothing until `minFailures` candidates have failed and as many succeeded.
 */
import type { ClassifierConfig, SurrogateConfig } from '../../lib/campaign/schema.js';
import { FAILURE_CLASSIFIER, SUCCESS_PROPERTY } from '../../lib/surrogate/kinds.js';
import type { ModelMetrics } from '../../lib/surrogate/model.js';
import { gatherRows, type PoolMatrix } from '../../lib/surrogate/pool-rows.js';
import type { Store } from '../../store/store.js';
import { fitFailureClassifier } from '../ml/lbe/failures.js';

export interface FailureModelArgs {
  campaignId: string;
  round: number;
  seed: number;
  /** The surrogate's model id this round: the classifier is `ID~success`. */
  id: string;
  classifier: ClassifierConfig;
  surrogate: SurrogateConfig;
  /** Pool indices in the order of the feature rows. */
  pool: readonly { idx: number }[];
  /** The pool's feature rows, dense or bit-packed (activities/campaign/features.ts). */
  features: PoolMatrix;
  nFeatures: number;
  onProgress?: (fraction: number) => void;
}

/** What it learned from, or why it did not train. */
export type FailureModelOutcome =
  | { trained: true; failures: number; successes: number }
  | { trained: false; note: string };

export async function trainFailureModel(store: Store, a: FailureModelArgs): Promise<FailureModelOutcome> {
  const outcome = new Map<number, number>(); // idx -> 1 success, 0 failure
  for (const e of await store.listEvaluations(a.campaignId)) {
    if (e.status === 'failed') outcome.set(e.idx, 0);
    else if (!outcome.has(e.idx)) outcome.set(e.idx, 1);
  }
  const failures = [...outcome.values()].filter((v) => v === 0).length;
  const successes = outcome.size - failures;
  const need = a.classifier.minFailures;
  if (failures < need || successes < need)
    return {
      trained: false,
      note: `needs ${need} failed and ${need} successful candidates; has ${failures} and ${successes}`,
    };

  await trainLbeModel(store, {
    ...a,
    id: `${a.id}~${SUCCESS_PROPERTY}`,
    property: SUCCESS_PROPERTY,
    labels: outcome,
    counts: { failures },
  });
  return { trained: true, failures, successes };
}

/** One latent binary-encoding model of the campaign: its labels, where it is stored, what it records. */
export interface LbeModelArgs extends Omit<FailureModelArgs, 'id'> {
  /** The model's id. */
  id: string;
  /** What its description names as its property (`success`); none: the campaign's own model (a class objective). */
  property?: string;
  /** The tier whose results gave the labels, recorded in its description. */
  labelTier?: string;
  /** Pool index -> 1 or 0, both present at least twice (the folds are stratified). */
  labels: ReadonlyMap<number, number>;
  /** Counts recorded beside the scores, e.g. {failures: 4}. */
  counts: Record<string, number>;
}

/**
 * Trains the latent binary-encoding classifier on the labelled candidates' features (and, for the comparison, the
 * same network without the penalty), stores it with both networks' cross-validated scores and latent-code figures,
 * and its probability of class 1 for every pool candidate as its predictions (std 0). The failure classifier and a
 * class objective's model are both this.
 */
export async function trainLbeModel(
  store: Store,
  a: LbeModelArgs,
): Promise<{ trainedOn: number; backend: string; metrics: ModelMetrics }> {
  const row = new Map(a.pool.map((c, r) => [c.idx, r]));
  const labelled = [...a.labels.keys()].filter((idx) => row.has(idx)).sort((x, y) => x - y);
  const f = a.nFeatures;
  const x = gatherRows(
    a.features,
    f,
    labelled.map((idx) => row.get(idx) as number),
  );
  const labels = Int32Array.from(labelled, (idx) => a.labels.get(idx) as number);
  const ones = labels.reduce((n, v) => n + v, 0);
  const c = a.classifier;
  const fitted = await fitFailureClassifier(
    {
      x,
      labels,
      pool: a.features,
      nFeatures: f,
      lambda: c.lambda,
      epochs: c.epochs,
      hiddenLayers: c.hiddenLayers,
      latentDim: c.latentDim,
      folds: Math.min(c.folds, ones, labels.length - ones),
      seed: a.seed,
    },
    a.onProgress,
  );
  const { penalised: p, unpenalised: u } = fitted;
  const metrics: ModelMetrics = {
    ...a.counts,
    accuracy: p.cv.accuracy,
    brier: p.cv.brier,
    logLoss: p.cv.logLoss,
    ece: p.cv.ece,
    nc1: p.collapse.nc1,
    meanBinarity: p.collapse.meanBinarity,
    plainAccuracy: u.cv.accuracy,
    plainBrier: u.cv.brier,
    plainLogLoss: u.cv.logLoss,
    plainEce: u.cv.ece,
    plainNc1: u.collapse.nc1,
    plainMeanBinarity: u.collapse.meanBinarity,
  };
  const backend = fitted.description.backend;
  await store.putModel(
    {
      id: a.id,
      campaignId: a.campaignId,
      round: a.round,
      kind: FAILURE_CLASSIFIER,
      backend,
      description: {
        kind: FAILURE_CLASSIFIER,
        settings: a.surrogate,
        fidelity: 'direct',
        trainedOn: labelled.length,
        nFeatures: f,
        backend,
        ...(a.labelTier !== undefined ? { labelTier: a.labelTier } : {}),
        ...(a.property !== undefined ? { property: a.property } : {}),
      },
      metrics,
    },
    fitted.model,
  );
  await store.putPredictions(
    a.campaignId,
    a.id,
    fitted.success,
    new Float32Array(fitted.success.length),
    a.pool.map((cand) => cand.idx),
  );
  return { trainedOn: labelled.length, backend, metrics };
}
