/**
 * The CBS extrapolation model: a quantile regression forest (activities/ml/qrf) that predicts a compound's
 * basis-set error per atom at a basis, with a 90% prediction interval. It learns asinh(ΔE / 1 meV): errors span
 * three orders of magnitude (tens of meV/atom at the smallest basis, tenths at the largest), the transform is
 * close to a logarithm there yet defined for the slightly negative errors of a noisy reference, and a forest's
 * quantiles carry over exactly through a monotone transform.
 */
import { HARTREE_MEV } from '../../lib/cbs/metrics.js';
import { QuantileForest } from '../ml/qrf/forest.js';

export interface CbsModelOptions {
  trees?: number;
  minSamplesLeaf?: number;
  maxFeatures?: number;
  seed?: number;
}

export const CBS_MODEL_DEFAULTS = { trees: 300, minSamplesLeaf: 3, maxFeatures: 0.5, seed: 1 };

/** Interval levels: the 5% and 95% quantiles bound the 90% interval. */
const QUANTILES = [0.05, 0.5, 0.95];

const toModel = (hartreePerAtom: number) => Math.asinh(hartreePerAtom * HARTREE_MEV);
const fromModel = (z: number) => Math.sinh(z) / HARTREE_MEV;

export interface ErrorPrediction {
  /** Median predicted basis-set error, hartree/atom. */
  median: number;
  /** 90% interval, hartree/atom. */
  lo: number;
  hi: number;
}

export class CbsModel {
  private readonly forest: QuantileForest;
  private nFeatures = 0;
  private readonly seed: number;

  constructor(opts: CbsModelOptions = {}) {
    const o = { ...CBS_MODEL_DEFAULTS, ...opts };
    this.seed = o.seed;
    // small data: threads cost more than they save
    this.forest = new QuantileForest({
      nEstimators: o.trees,
      minSamplesLeaf: o.minSamplesLeaf,
      maxFeatures: o.maxFeatures,
      threads: 1,
    });
  }

  async fit(features: readonly number[][], targets: readonly number[]): Promise<void> {
    this.nFeatures = features[0]?.length ?? 0;
    await this.forest.fit(
      Float32Array.from(features.flat()),
      this.nFeatures,
      Float32Array.from(targets, toModel),
      { seed: this.seed },
    );
  }

  async predict(features: readonly number[][]): Promise<ErrorPrediction[]> {
    const q = await this.forest.quantiles(Float32Array.from(features.flat()), features.length, QUANTILES);
    return features.map((_, i) => ({
      lo: fromModel(q.values[3 * i] as number),
      median: fromModel(q.values[3 * i + 1] as number),
      hi: fromModel(q.values[3 * i + 2] as number),
    }));
  }

  dispose(): void {
    this.forest.dispose();
  }
}
