/**
 * The seam between the campaign and its surrogate models. Each kind (lib/surrogate/kinds.ts) has a SurrogateEntry
 * in the registry (activities/ml/surrogates/): how it fits labelled rows and predicts a pool without blocking the
 * caller's event loop, and what its predictions carry. The models themselves (the MLP ensemble in its thread, the
 * forest) implement Surrogate. Types only; no ML library is imported here.
 *
 * Matrices are row-major Float32Arrays: row i of an n x d matrix is x[i*d .. (i+1)*d).
 */
import type { SurrogateConfig } from './campaign/schema.js';
import type { SurrogateKind } from './surrogate/kinds.js';
import type { PoolMatrix } from './surrogate/pool-rows.js';

export interface Prediction {
  /** Predicted value per row, in the target's units. */
  mean: Float32Array;
  /** Predictive spread per row (same units), always > 0. */
  std: Float32Array;
  /**
   * Joint draws of the rows' values, one array per ensemble member or forest tree (same units), when asked for
   * (`FitRequest.samples`) and the kind has them: Thompson sampling takes one per batch slot.
   */
  samples?: Float32Array[];
}

/** One fit: learn (x, y), then predict the pool. */
export interface FitRequest {
  /** Training features, n x nFeatures. */
  x: Float32Array;
  nFeatures: number;
  /** Training targets, n. */
  y: Float32Array;
  /** Rows to predict, m x nFeatures: dense, or with the fingerprint block bit-packed (a large pool). */
  pool: PoolMatrix;
  /** The campaign's surrogate settings; each kind reads its own. */
  spec: SurrogateConfig;
  seed: number;
  /** Return each member's (or tree's) predictions too (`Prediction.samples`), where the kind has them. */
  samples?: boolean;
  /** Fraction of the fit done (0..1], e.g. to heartbeat. */
  onProgress?: (fraction: number) => void;
  /** Lines worth logging (the TF backend picked); default console.info. */
  onLog?: (line: string) => void;
  /**
   * Move x, y and pool to the fitting thread instead of copying them (default false): saves a copy of the pool,
   * but the caller's arrays are empty afterwards.
   */
  transfer?: boolean;
}

export interface FitResult extends Prediction {
  /** The saved model (the kind's `load` reads it). */
  model: Uint8Array;
  description: SurrogateDescription;
  backend: string;
  fitSeconds: number;
  predictSeconds: number;
  trainLoss: number;
}

/** What a kind's predictions carry, for the acquisition strategies that need more than mean and std. */
export interface Provides {
  mean: true;
  std: true;
  /**
   * Where joint draws of the pool's values would come from, for Thompson sampling: an ensemble's members, a
   * forest's trees; false if there are none. Both return them when asked (`FitRequest.samples`): every member
   * of the ensemble, the forest's sub-forests.
   */
  samples: 'members' | 'trees' | false;
  /** Predictive quantiles per row besides mean and std. */
  quantiles: boolean;
}

export interface SurrogateEntry<K extends SurrogateKind = SurrogateKind> {
  readonly kind: K;
  readonly provides: Provides;
  /** Fits (x, y) and predicts the pool, off the caller's event loop (a Temporal worker must keep heartbeating). */
  fitAndPredict(req: FitRequest): Promise<FitResult>;
}

export interface FitOptions {
  seed?: number;
  /** Called as training advances, with the fraction of the work done (0..1]. */
  onProgress?: (fraction: number) => void;
}

export interface FitReport {
  seconds: number;
  /** Mean squared error on the standardised target (the MLP's last epoch, the forest's in-bag leaves). */
  trainLoss: number;
  samples: number;
}

/** What a fitted model says about itself (saved in its model file); each kind adds its own settings. */
export interface SurrogateDescription {
  kind: SurrogateKind;
  /** Compute backend the model was trained on, e.g. 'wasm'. */
  backend: string;
  /** Ensemble members, or trees. */
  members: number;
  nFeatures: number;
  trainedOn: number;
  seed: number;
}

export interface Surrogate {
  readonly kind: SurrogateKind;
  fit(x: Float32Array, nFeatures: number, y: Float32Array, opts?: FitOptions): Promise<FitReport>;
  /** Predictions for the n rows of x. */
  predict(x: Float32Array, n: number): Promise<Prediction>;
  /** Everything needed to load the model again, as bytes. */
  save(): Promise<Uint8Array>;
  describe(): SurrogateDescription;
  /** Frees the model's memory; the object is unusable afterwards. */
  dispose(): void;
}
