/**
 * The seam between the campaign and its surrogate models: what any surrogate (today an MLP deep
 * ensemble, later GPs, GNNs, remote services) must offer. Types only; no ML library is imported here.
 *
 * Matrices are row-major Float32Arrays: row i of an n x d matrix is x[i*d .. (i+1)*d).
 */
import type { SurrogateConfig } from './campaign/schema.js';

/** The part of the surrogate config a model needs to train. */
export type SurrogateSpec = Pick<
  SurrogateConfig,
  'ensembleSize' | 'hiddenLayers' | 'epochs' | 'learningRate'
>;

export interface Prediction {
  /** Predicted value per row, in the target's units. */
  mean: Float32Array;
  /** Predictive spread per row (same units), always > 0. */
  std: Float32Array;
}

export interface FitOptions {
  seed?: number;
  /** Called as training advances, with the fraction of the work done (0..1]. */
  onProgress?: (fraction: number) => void;
}

export interface FitReport {
  seconds: number;
  /** Mean squared error on the standardised target over the last epoch, averaged over members. */
  trainLoss: number;
  samples: number;
  epochs: number;
}

export interface SurrogateDescription {
  kind: string;
  /** Compute backend the model was trained on, e.g. 'wasm'. */
  backend: string;
  members: number;
  /** Hidden layer widths. */
  layers: number[];
  nFeatures: number;
  trainedOn: number;
  epochs: number;
  learningRate: number;
  seed: number;
}

export interface Surrogate {
  readonly kind: string;
  fit(x: Float32Array, nFeatures: number, y: Float32Array, opts?: FitOptions): Promise<FitReport>;
  /** Predictions for the n rows of x. */
  predict(x: Float32Array, n: number): Promise<Prediction>;
  /** Everything needed to load the model again, as bytes. */
  save(): Promise<Uint8Array>;
  describe(): SurrogateDescription;
  /** Frees the model's memory; the object is unusable afterwards. */
  dispose(): void;
}
