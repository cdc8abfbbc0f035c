/**
 * How good a probabilistic binary classifier is: accuracy at 0.5, the Brier score, the log loss, and the
 * expected calibration error (ECE: the gap between predicted probability and observed frequency, averaged over
 * equal-width probability bins weighted by their counts, as Guo et al. 2017 do). Pure.
 */

export interface ClassifierScores {
  n: number;
  accuracy: number;
  brier: number;
  logLoss: number;
  ece: number;
}

/** Bins of the calibration error: ten, the usual choice for small sets. */
export const ECE_BINS = 10;

/** Clamp for the log loss, so a confident mistake costs a lot but not infinity. */
const EPS = 1e-7;

/** `p[i]`: predicted probability of class 1; `y[i]`: 0 or 1. */
export function classifierScores(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  bins = ECE_BINS,
): ClassifierScores {
  const n = y.length;
  if (p.length !== n) throw new Error(`${p.length} probabilities for ${n} labels`);
  if (n === 0) return { n, accuracy: Number.NaN, brier: Number.NaN, logLoss: Number.NaN, ece: Number.NaN };
  let right = 0;
  let brier = 0;
  let logLoss = 0;
  const count = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number;
    const yi = y[i] as number;
    if (yi !== 0 && yi !== 1) throw new Error(`label ${yi} at ${i}: labels are 0 or 1`);
    if ((pi >= 0.5 ? 1 : 0) === yi) right++;
    brier += (pi - yi) ** 2;
    const q = Math.min(Math.max(pi, EPS), 1 - EPS);
    logLoss -= yi === 1 ? Math.log(q) : Math.log(1 - q);
    const b = Math.min(bins - 1, Math.floor(pi * bins));
    count[b] = (count[b] as number) + 1;
    predicted[b] = (predicted[b] as number) + pi;
    observed[b] = (observed[b] as number) + yi;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    if (c > 0) ece += Math.abs((predicted[b] as number) - (observed[b] as number)) / n;
  }
  return { n, accuracy: right / n, brier: brier / n, logLoss: logLoss / n, ece };
}

/**
 * Stratified k-fold assignment: each class's members (in the order given) dealt round-robin over the folds,
 * after a seeded shuffle by the caller, so every fold holds about the same share of each class.
 */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number): Int32Array {
  const out = new Int32Array(labels.length);
  const next = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    const k = next.get(c) ?? 0;
    out[i] = k % folds;
    next.set(c, k + 1);
  }
  return out;
}
