/**
 * The CBS extrapolation model: quantile regression forests (activities/ml/qrf) that predict a compound's
 * basis-set error per atom at a basis, with a 90% prediction interval. Two forests, by what is known:
 *
 * - at the smallest basis of a ladder only the calculation itself is known. The forest learns asinh(ΔE / 1 meV):
 *   errors span three orders of magnitude (tens to a thousand meV/atom), the transform is close to a logarithm
 *   there yet defined for slightly negative errors of a noisy reference;
 * - at a larger basis the energy step from the previous basis is known, and the remaining error is close to
 *   proportional to it (that proportionality is what two-point extrapolation formulas assume). The forest
 *   learns the ratio ΔE / |step| from composition and the rest, a learned correction to analytic extrapolation,
 *   and the prediction is ratio x |step|.
 *
 * Both transforms are monotone in ΔE for a given example, so the forests' quantiles carry over exactly.
 * Features follow lib/cbs/examples.ts: [basisSize, hasPrevious, step (mHa/atom), ...].
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
const HAS_PREVIOUS = 1;
const STEP_MHA = 2;
/** Steps smaller than this (hartree/atom) are noise: the ratio would explode. */
const MIN_STEP = 1e-7;

export interface ErrorPrediction {
  /** Median predicted basis-set error, hartree/atom. */
  median: number;
  /** 90% interval, hartree/atom. */
  lo: number;
  hi: number;
}

/** How one example's target is scaled: to the model's space and back. */
interface Scale {
  to: (hartreePerAtom: number) => number;
  from: (z: number) => number;
}

function scaleOf(features: readonly number[]): Scale {
  if (features[HAS_PREVIOUS] !== 1) {
    return { to: (e) => Math.asinh(e * HARTREE_MEV), from: (z) => Math.sinh(z) / HARTREE_MEV };
  }
  const step = Math.max(Math.abs((features[STEP_MHA] as number) / 1000), MIN_STEP);
  return { to: (e) => e / step, from: (z) => z * step };
}

export class CbsModel {
  private readonly forests: { first: QuantileForest; later: QuantileForest };
  private readonly seed: number;

  constructor(opts: CbsModelOptions = {}) {
    const o = { ...CBS_MODEL_DEFAULTS, ...opts };
    this.seed = o.seed;
    // small data: threads cost more than they save
    const forest = () =>
      new QuantileForest({
        nEstimators: o.trees,
        minSamplesLeaf: o.minSamplesLeaf,
        maxFeatures: o.maxFeatures,
        threads: 1,
      });
    this.forests = { first: forest(), later: forest() };
  }

  async fit(features: readonly number[][], targets: readonly number[]): Promise<void> {
    for (const part of ['first', 'later'] as const) {
      const rows = features.flatMap((f, i) => ((f[HAS_PREVIOUS] === 1) === (part === 'later') ? [i] : []));
      if (rows.length === 0) continue;
      const x = rows.map((i) => features[i] as number[]);
      await this.forests[part].fit(
        Float32Array.from(x.flat()),
        x[0]?.length ?? 0,
        Float32Array.from(rows, (i) => scaleOf(features[i] as number[]).to(targets[i] as number)),
        { seed: this.seed },
      );
    }
  }

  async predict(features: readonly number[][]): Promise<ErrorPrediction[]> {
    const out: ErrorPrediction[] = new Array(features.length);
    for (const part of ['first', 'later'] as const) {
      const rows = features.flatMap((f, i) => ((f[HAS_PREVIOUS] === 1) === (part === 'later') ? [i] : []));
      if (rows.length === 0) continue;
      const x = rows.map((i) => features[i] as number[]);
      const q = await this.forests[part].quantiles(Float32Array.from(x.flat()), rows.length, QUANTILES);
      rows.forEach((i, k) => {
        const s = scaleOf(features[i] as number[]);
        out[i] = {
          lo: s.from(q.values[3 * k] as number),
          median: s.from(q.values[3 * k + 1] as number),
          hi: s.from(q.values[3 * k + 2] as number),
        };
      });
    }
    return out;
  }

  dispose(): void {
    this.forests.first.dispose();
    this.forests.later.dispose();
  }
}
