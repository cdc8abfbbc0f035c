/**
 * The one path every surrogate fit takes:
 *
 *   fitSurrogates (a retrain: direct or Delta-learning; typed description and metrics)
 *     -> fitAndScreen once (direct), or fitDeltaAndScreen: fitAndScreen twice + combineDelta (lib/delta.ts)
 *       -> fitAndScreen: with `recalibrate`, k cross-validation fits first, then the final fit, its std scaled
 *         -> the kind's entry in the registry (surrogates/), off the event loop
 */
import type { SurrogateConfig } from '../../lib/campaign/schema.js';
import { combineDelta } from '../../lib/delta.js';
import { mean, surrogateMetrics } from '../../lib/metrics.js';
import { childSeed } from '../../lib/random.js';
import { foldOf, RECALIBRATION_FOLDS, spreadScale } from '../../lib/recalibration.js';
import type { ModelDescription, ModelMetrics } from '../../lib/surrogate/model.js';
import { gatherRows, type PoolMatrix, rowCount } from '../../lib/surrogate/pool-rows.js';
import type { FitRequest, FitResult } from '../../lib/surrogate.js';
import { packDeltaModel } from './delta.js';
import { surrogateFor } from './surrogates/index.js';

/** One labelled candidate: its pool row and its value. */
export interface Label {
  idx: number;
  value: number;
}

/** What a retrain learns (activities/campaign/training-set.ts decides). */
export type LabelSet =
  | { fidelity: 'direct'; labelTier: string; labelled: readonly Label[]; note?: string }
  | {
      fidelity: 'delta';
      labelTier: string;
      /** labelTier results of candidates also computed at baseTier (what the correction learns). */
      labelled: readonly Label[];
      baseTier: string;
      /** Every result at baseTier (what the base learns). */
      base: readonly Label[];
    };

/** What a retrain fitted: predictions per pool row, the model file, and what the store records with it. */
export interface Fitted {
  mean: Float32Array;
  std: Float32Array;
  /** Each ensemble member's predictions, when asked for (direct fits of a kind with members). */
  samples?: Float32Array[];
  model: Uint8Array;
  backend: string;
  description: ModelDescription;
  metrics: ModelMetrics;
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

export interface ScreenResult extends FitResult {
  recalibration?: Recalibration;
}

/** Results of one tier: pool row numbers and their values. */
export interface TierLabels {
  rows: readonly number[];
  values: readonly number[];
}

export interface DeltaRequest {
  /** Every candidate's features, m x nFeatures: row-major, or bit-packed (lib/surrogate/pool-rows.ts). */
  pool: PoolMatrix;
  nFeatures: number;
  /** The tier below the top: the base surrogate's labels, and the measured values delta adds to. */
  lower: TierLabels;
  /** The top tier; only rows also in `lower` teach the delta. */
  upper: TierLabels;
  spec: SurrogateConfig;
  seed: number;
  onProgress?: (fraction: number) => void;
  /** Move the pool to the last fitting thread (default false); see FitRequest.transfer. */
  transfer?: boolean;
}

export interface DeltaResult {
  /** Top-tier predictions per pool row. */
  mean: Float32Array;
  std: Float32Array;
  /** Both models in one file (readDeltaModel splits it). */
  model: Uint8Array;
  backend: string;
  /** Rows the delta learned from (computed at both tiers). */
  pairs: number;
  base: ScreenResult;
  delta: ScreenResult;
}

/** Fits what the retrain learns and predicts the pool (row = candidate idx); moves `pool` away. */
export async function fitSurrogates(
  set: LabelSet,
  pool: PoolMatrix,
  nFeatures: number,
  options: Pick<FitRequest, 'spec' | 'seed' | 'onProgress' | 'samples'>,
): Promise<Fitted> {
  // members' predictions (Thompson sampling) come from a direct fit only: a delta model's are sums of two ensembles'
  const { samples, ...opts } = options;
  const common = { kind: opts.spec.kind, settings: opts.spec, labelTier: set.labelTier, nFeatures };
  if (set.fidelity === 'delta') {
    const labels = (es: readonly Label[]) => ({ rows: es.map((e) => e.idx), values: es.map((e) => e.value) });
    const r = await fitDeltaAndScreen({
      pool,
      nFeatures,
      lower: labels(set.base),
      upper: labels(set.labelled),
      ...opts,
      transfer: true,
    });
    return {
      mean: r.mean,
      std: r.std,
      model: r.model,
      backend: r.backend,
      description: {
        ...common,
        fidelity: 'delta',
        baseTier: set.baseTier,
        trainedOn: set.labelled.length,
        baseTrainedOn: set.base.length,
        backend: r.backend,
      },
      metrics: {
        trainLoss: r.delta.trainLoss,
        baseTrainLoss: r.base.trainLoss,
        baseTrainedOn: set.base.length,
        fitSeconds: r.base.fitSeconds + r.delta.fitSeconds,
        predictSeconds: r.base.predictSeconds + r.delta.predictSeconds,
        meanStd: mean(r.std),
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
  const rows = set.labelled.map((e) => e.idx);
  const y = Float32Array.from(set.labelled, (e) => e.value);
  const r = await fitAndScreen({
    x: gather(pool, nFeatures, rows),
    nFeatures,
    y,
    pool,
    ...opts,
    ...(samples ? { samples } : {}),
    transfer: true,
  });
  return {
    mean: r.mean,
    std: r.std,
    ...(r.samples ? { samples: r.samples } : {}),
    model: r.model,
    backend: r.backend,
    description: {
      ...common,
      fidelity: 'direct',
      trainedOn: set.labelled.length,
      ...(set.note ? { fidelityNote: set.note } : {}),
      backend: r.backend,
    },
    metrics: {
      trainLoss: r.trainLoss,
      fitSeconds: r.fitSeconds,
      predictSeconds: r.predictSeconds,
      meanStd: mean(r.std),
      ...recalibrated(r.recalibration),
    },
  };
}

/** stdScale: the factor applied to every predicted std, and the held-out figures it was chosen on. */
function recalibrated(r: Recalibration | undefined): ModelMetrics {
  if (!r) return {};
  return {
    stdScale: r.scale,
    recalibrationFolds: r.folds,
    recalibrationPoints: r.points,
    heldOutCoverage90: r.rawCoverage90,
  };
}

/**
 * Delta-learning: a base surrogate learns the tier below from all of its results, a delta surrogate learns
 * (top − below) on the candidates computed at both; the pool's top-tier prediction adds them up (lib/delta.ts says
 * how, spread included). Both parts go through fitAndScreen, each recalibrated on its own.
 */
export async function fitDeltaAndScreen(req: DeltaRequest): Promise<DeltaResult> {
  const { pool, nFeatures: d, lower, upper } = req;
  const m = rowCount(pool, d);
  const measured = new Float32Array(m).fill(Number.NaN);
  lower.rows.forEach((row, i) => {
    measured[row] = lower.values[i] as number;
  });
  const pairRows: number[] = [];
  const differences: number[] = [];
  upper.rows.forEach((row, i) => {
    const below = measured[row] as number;
    if (Number.isNaN(below)) return;
    pairRows.push(row);
    differences.push((upper.values[i] as number) - below);
  });
  if (pairRows.length === 0)
    throw new Error('no candidate has results at both tiers: nothing to learn a delta from');

  const base = await fitAndScreen({
    x: gather(pool, d, lower.rows),
    nFeatures: d,
    y: Float32Array.from(lower.values),
    pool,
    spec: req.spec,
    seed: childSeed(req.seed, 1),
    onProgress: (f) => req.onProgress?.(f / 2),
    transfer: false, // the delta needs the pool next
  });
  const delta = await fitAndScreen({
    x: gather(pool, d, pairRows),
    nFeatures: d,
    y: Float32Array.from(differences),
    pool,
    spec: req.spec,
    seed: childSeed(req.seed, 2),
    onProgress: (f) => req.onProgress?.(0.5 + f / 2),
    transfer: req.transfer ?? false,
  });
  const { mean, std } = combineDelta(base, delta, measured);
  return {
    mean,
    std,
    model: packDeltaModel(base.model, delta.model),
    backend: delta.backend,
    pairs: pairRows.length,
    base,
    delta,
  };
}

/**
 * Fits one surrogate on labelled rows and predicts the pool. With `recalibrate`, the same kind is first fitted k
 * times on k-fold splits of the labelled rows; the held-out predictions give the factor applied to every predicted
 * std (lib/recalibration.ts), and to every draw's distance from the mean.
 */
export async function fitAndScreen(req: FitRequest): Promise<ScreenResult> {
  const n = req.y.length;
  const folds = req.spec.recalibrate ? Math.min(RECALIBRATION_FOLDS, n) : 0;
  const fits = folds + 1;
  const share = (done: number) => (f: number) => req.onProgress?.((done + f) / fits);
  let recalibration: Recalibration | undefined;
  if (folds >= 2) recalibration = await crossValidate(req, folds, share);
  const result: ScreenResult = await fitOnce({
    ...req,
    onProgress: share(folds),
    transfer: req.transfer ?? false,
  });
  if (recalibration) {
    const { scale } = recalibration;
    for (let i = 0; i < result.std.length; i++) result.std[i] = (result.std[i] as number) * scale;
    // the draws spread around the mean as the std does
    for (const draw of result.samples ?? [])
      for (let i = 0; i < draw.length; i++) {
        const m = result.mean[i] as number;
        draw[i] = m + scale * ((draw[i] as number) - m);
      }
    result.recalibration = recalibration;
  }
  return result;
}

/** Held-out predictions for every labelled row, each from the model fitted on the other folds. */
async function crossValidate(
  req: FitRequest,
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
    const out = await fitOnce({
      ...req,
      x: gather(x, d, train),
      y: Float32Array.from(train, (i) => y[i] as number),
      pool: gather(x, d, held),
      seed: childSeed(req.seed, f + 1),
      samples: false, // held-out predictions need no members
      onProgress: share(f),
      transfer: true, // the fold's arrays are its own
      onLog: () => {}, // the final fit logs the backend; the folds would log it once each
    });
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

function fitOnce(req: FitRequest): Promise<FitResult> {
  return surrogateFor(req.spec.kind).fitAndPredict(req);
}

function rowsWhere(fold: Int32Array, keep: (g: number) => boolean): number[] {
  const rows: number[] = [];
  fold.forEach((g, i) => {
    if (keep(g)) rows.push(i);
  });
  return rows;
}

/** The given rows of an n x d matrix (dense or packed), as a new dense matrix. */
export function gather(matrix: PoolMatrix, d: number, rows: readonly number[]): Float32Array {
  return gatherRows(matrix, d, rows);
}
