/**
 * The failure classifier a campaign trains each round: will a candidate's calculations succeed? The latent
 * binary-encoding classifier (classifier.ts: a linear bottleneck under a penalty growing as exp(z^2)) learns it
 * from the candidates evaluated so far, in a worker thread (failures-thread.ts). On the campaign's own data it
 * is compared with the same network without the penalty: both by stratified k-fold cross-validation (accuracy,
 * Brier score, log loss, calibration error) and by the neural-collapse figures of their latent codes on the
 * training set. The penalised one predicts each pool candidate's probability of success.
 */
import type { ClassifierScores } from '../../../lib/classification-metrics.js';
import type { PoolMatrix } from '../../../lib/surrogate/pool-rows.js';
import { runInThread } from '../run-thread.js';
import type { LbeDescription } from './classifier.js';
import type { CollapseMetrics } from './collapse.js';

export interface FailureJob {
  /** Features of the labelled candidates, row-major, n x nFeatures. */
  x: Float32Array;
  /** 1: every calculation succeeded; 0: one failed. */
  labels: Int32Array;
  /** Features of the pool: row-major m x nFeatures, or bit-packed rows (screened a block at a time). */
  pool: PoolMatrix;
  nFeatures: number;
  lambda: number;
  epochs: number;
  hiddenLayers: number[];
  latentDim: number;
  folds: number;
  seed: number;
}

/** One network's figures: cross-validated scores and the collapse of its latent code (trained on all). */
export interface FailureFigures {
  cv: ClassifierScores;
  collapse: Pick<CollapseMetrics, 'nc1' | 'equinormCV' | 'cosineMean' | 'meanBinarity'>;
}

export interface FailureResult {
  /** P(success) of each pool row. */
  success: Float32Array;
  model: Uint8Array;
  description: LbeDescription;
  /** With the exp(z^2) penalty (the one used) and without it. */
  penalised: FailureFigures;
  unpenalised: FailureFigures;
}

export function fitFailureClassifier(
  job: FailureJob,
  onProgress?: (fraction: number) => void,
): Promise<FailureResult> {
  return runInThread<FailureJob, FailureResult>(job, {
    js: new URL('./failures-thread.js', import.meta.url),
    ts: new URL('./failures-thread.ts', import.meta.url),
    ...(onProgress ? { onProgress } : {}),
  });
}
