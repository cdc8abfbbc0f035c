/**
 * Recalibrating a surrogate's spread on held-out folds. k-fold cross-validated predictions of the labelled
 * rows give one factor s for the predicted std: the one at which the central 90% intervals
 * mean ± 1.645·s·std cover 90% of the held-out points, i.e. s = q90(|z|) / 1.645 with z = (y − mean) / std.
 *
 * Why coverage and not the Gaussian NLL (whose optimum is s² = mean(z²)): the NLL's optimum follows the
 * largest residuals, and one badly predicted molecule in a handful would inflate every interval; the 90%
 * quantile of |z| does not care how far out the worst 10% lie. It also calibrates exactly the interval that
 * `cascade status` reports and that UCB's kappa ~ 1.6 trades on. Pure.
 */
import { mulberry32, shuffle } from './random.js';

export const RECALIBRATION_FOLDS = 5;
const Z90 = 1.6448536269514722;
/** One degenerate fold (a perfect or a wild prediction) must not zero or explode every spread. */
const MIN_SCALE = 1e-3;
const MAX_SCALE = 1e3;

/** Fold number (0..k-1) of each of n rows: seeded, sizes differing by at most one. */
export function foldOf(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > n)
    throw new Error(`need 2 <= folds <= rows, got ${k} folds of ${n}`);
  const order = shuffle(
    Array.from({ length: n }, (_, i) => i),
    mulberry32(seed),
  );
  const fold = new Int32Array(n);
  order.forEach((row, position) => {
    fold[row] = position % k;
  });
  return fold;
}

/** The factor for the predicted std that makes 90% of these held-out points fall inside their 90% interval. */
export function spreadScale(
  truth: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
): number {
  const n = truth.length;
  if (n === 0 || mean.length !== n || std.length !== n)
    throw new Error('recalibration needs equally long, non-empty arrays');
  const absZ = Array.from(
    { length: n },
    (_, i) => Math.abs((truth[i] as number) - (mean[i] as number)) / Math.max(std[i] as number, 1e-12),
  ).sort((a, b) => a - b);
  const s = quantileSorted(absZ, 0.9) / Z90;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
}

/** Linear interpolation between order statistics (the usual "type 7" sample quantile). */
function quantileSorted(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
