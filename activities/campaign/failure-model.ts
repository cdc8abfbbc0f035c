/**
 * The campaign's failure classifier at a retrain (`classifier:` in the campaign file): each evaluated candidate
 * is a success (every calculation it had succeeded) or a failure (one failed: SCF, optimisation, geometry, time
 * limit), the latent binary-encoding network learns which from its features (activities/ml/lbe/failures.ts),
 * and its probability of success for every pool candidate is stored as the predictions of model `ID~success`.
 * Nothing until `minFailures` candidates have failed and as many succeeded.
 */
import type { ClassifierConfig, SurrogateConfig } from '../../lib/campaign/schema.js';
import { FAILURE_CLASSIFIER, SUCCESS_PROPERTY } from '../../lib/surrogate/kinds.js';
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
  features: Float32Array;
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

  const row = new Map(a.pool.map((c, r) => [c.idx, r]));
  const labelled = [...outcome.keys()].filter((idx) => row.has(idx)).sort((x, y) => x - y);
  const f = a.nFeatures;
  const x = new Float32Array(labelled.length * f);
  labelled.forEach((idx, r) => {
    const at = row.get(idx) as number;
    x.set(a.features.subarray(at * f, (at + 1) * f), r * f);
  });
  const labels = Int32Array.from(labelled, (idx) => outcome.get(idx) as number);
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
      folds: Math.min(c.folds, failures, successes),
      seed: a.seed,
    },
    a.onProgress,
  );
  const { penalised: p, unpenalised: u } = fitted;
  const id = `${a.id}~${SUCCESS_PROPERTY}`;
  await store.putModel(
    {
      id,
      campaignId: a.campaignId,
      round: a.round,
      kind: FAILURE_CLASSIFIER,
      backend: fitted.description.backend,
      description: {
        kind: FAILURE_CLASSIFIER,
        settings: a.surrogate,
        fidelity: 'direct',
        trainedOn: labelled.length,
        nFeatures: f,
        backend: fitted.description.backend,
        property: SUCCESS_PROPERTY,
      },
      metrics: {
        failures,
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
      },
    },
    fitted.model,
  );
  await store.putPredictions(
    a.campaignId,
    id,
    fitted.success,
    new Float32Array(fitted.success.length),
    a.pool.map((cand) => cand.idx),
  );
  return { trained: true, failures, successes };
}
