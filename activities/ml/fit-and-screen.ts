/**
 * fitAndScreen: fits the campaign's surrogate, of either kind, on labelled rows and predicts the pool. With
 * `recalibrate`, the same surrogate is first fitted k times on k-fold splits of the labelled rows; the
 * held-out predictions give the factor applied to every predicted std (lib/recalibration.ts).
 */
import type { SurrogateConfig } from '../../lib/campaign/schema.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import { childSeed } from '../../lib/random.js';
import { foldOf, RECALIBRATION_FOLDS, spreadScale } from '../../lib/recalibration.js';
import { fitForestAndPredict } from './fit-forest.js';
import { type TrainResult, trainAndPredict } from './trainer.js';

export interface ScreenRequest {
  /** Training features, row-major, n x nFeatures. */
  x: Float32Array;
  nFeatures: number;
  y: Float32Array;
  /** Rows to predict, m x nFeatures. */
  pool: Float32Array;
  spec: SurrogateConfig;
  seed: number;
  onProgress?: (fraction: number) => void;
  /**
   * Move x, y and pool to the training thread instead of copying them (default false): saves a copy of the
   * pool, but the caller's arrays are empty afterwards.
   */
  transfer?: boolean;
}

export interface Recalibration {
  /** The factor every predicted std was multiplied by. */
  scale: number;
  folds: number;
  /** Held-out predictions it was chosen on (every labelled row once). */
  points: number;
  /** Coverage of the held-out 90% intervals before scaling (after: ~0.9 by construction). */
  rawCoverage90: number;
}

export interface ScreenResult extends TrainResult {
  recalibration?: Recalibration;
}

export async function fitAndScreen(req: ScreenRequest): Promise<ScreenResult> {
  const n = req.y.length;
  const folds = req.spec.recalibrate ? Math.min(RECALIBRATION_FOLDS, n) : 0;
  const fits = folds + 1;
  const share = (done: number) => (f: number) => req.onProgress?.((done + f) / fits);
  let recalibration: Recalibration | undefined;
  if (folds >= 2) recalibration = await crossValidate(req, folds, share);
  const result: ScreenResult = await fitOnce({ ...req, onProgress: share(folds) }, req.transfer ?? false);
  if (recalibration) {
    for (let i = 0; i < result.std.length; i++)
      result.std[i] = (result.std[i] as number) * recalibration.scale;
    result.recalibration = recalibration;
  }
  return result;
}

/** Held-out predictions for every labelled row, each from the model fitted on the other folds. */
async function crossValidate(
  req: ScreenRequest,
  k: number,
  share: (done: number) => (f: number) => void,
): Promise<Recalibration> {
  const { x, y, nFeatures: d } = req;
  const n = y.length;
  const fold = foldOf(n, k, childSeed(req.seed, 0x5ca1e));
  const mean = new Float32Array(n);
  const std = new Float32Array(n);
  for (let f = 0; f < k; f++) {
    const train = rowsWhere(fold, (g) => g !== f);
    const held = rowsWhere(fold, (g) => g === f);
    const out = await fitOnce(
      {
        ...req,
        x: gather(x, d, train),
        y: Float32Array.from(train, (i) => y[i] as number),
        pool: gather(x, d, held),
        seed: childSeed(req.seed, f + 1),
        onProgress: share(f),
      },
      true, // the fold's arrays are its own
      true,
    );
    held.forEach((row, j) => {
      mean[row] = out.mean[j] as number;
      std[row] = out.std[j] as number;
    });
  }
  return {
    scale: spreadScale(y, mean, std),
    folds: k,
    points: n,
    rawCoverage90: surrogateMetrics(y, mean, std).coverage90,
  };
}

function fitOnce(req: ScreenRequest, transfer: boolean, quiet = false): Promise<TrainResult> {
  const { x, nFeatures, y, pool, spec, seed, onProgress } = req;
  if (spec.kind === 'qrf') return fitForestAndPredict({ x, nFeatures, y, pool, spec, seed, onProgress });
  // the folds' fits would log the backend once each: the final fit logs it
  const onLog = quiet ? () => {} : undefined;
  return trainAndPredict({ x, nFeatures, y, pool, spec, seed, onProgress, transfer, onLog });
}

function rowsWhere(fold: Int32Array, keep: (g: number) => boolean): number[] {
  const rows: number[] = [];
  fold.forEach((g, i) => {
    if (keep(g)) rows.push(i);
  });
  return rows;
}

/** The given rows of a row-major n x d matrix, as a new matrix. */
export function gather(matrix: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    out.set(matrix.subarray(r * d, (r + 1) * d), i * d);
  });
  return out;
}
