/**
 * Delta-learning across fidelities: a top tier's value as the value of the tier below plus a learned
 * correction (say, a B3LYP gap as the GFN2 gap plus B3LYP − GFN2). The correction is small and smooth where
 * the cheap method already captures the chemistry, so a few expensive results teach it; the lower tier's
 * many results teach the base. Pure: combines the two surrogates' predictions per pool row.
 *
 *   lower tier measured (the candidate was computed there):  mean = lower + delta.mean,   std = delta.std
 *   not measured:                                           mean = base.mean + delta.mean,
 *                                                           std = sqrt(base.std² + delta.std²)
 *
 * The variances add because the two errors are treated as independent (different models, different training
 * sets). They need not be: where the base is wrong because a molecule is unusual, the correction may be wrong
 * too, and then the sum understates the spread; `surrogate.recalibrate` corrects what the held-out folds
 * show. Quantiles: with a measured lower value the top tier's quantiles are the delta's shifted by it (exact);
 * otherwise the sum of two predictive distributions has the convolution's quantiles, not the sum of the
 * quantiles, and the campaign (whose acquisition consumes mean and std) uses the Gaussian mean ± z·std.
 */
import type { Prediction } from './surrogate.js';

/** `measured[i]` is the lower tier's value for pool row i, NaN where it was not computed. */
export function combineDelta(base: Prediction, delta: Prediction, measured: Float32Array): Prediction {
  const n = measured.length;
  if (base.mean.length !== n || delta.mean.length !== n)
    throw new Error(
      `base (${base.mean.length}), delta (${delta.mean.length}) and measured (${n}) differ in length`,
    );
  const mean = new Float32Array(n);
  const std = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const lower = measured[i] as number;
    const d = delta.std[i] as number;
    if (Number.isNaN(lower)) {
      const b = base.std[i] as number;
      mean[i] = (base.mean[i] as number) + (delta.mean[i] as number);
      std[i] = Math.sqrt(b * b + d * d);
    } else {
      mean[i] = lower + (delta.mean[i] as number);
      std[i] = d;
    }
  }
  return { mean, std };
}
