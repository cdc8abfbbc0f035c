/**
 * The Gaussian quantities PI, EI and threshold share, in the objective's score space (larger is better): the
 * prediction is N(mu', sigma) with mu' = score(mean), and `gain` is how far mu' lies above the bar to beat.
 * The CDF is lib/domain/normal.ts's erfc-based one (about 1e-15 relative), precise enough for probabilities
 * checked by hand to 1e-9; no npm package for it is both maintained and worth a dependency.
 */
import { normalCdf } from '../domain/normal.js';

const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The standard normal density. */
export function normalPdf(z: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * P(mu' + sigma Z > bar) for gain = mu' - bar: Phi(gain / sigma). With sigma = 0 the prediction is certain:
 * 1 when it lies strictly above the bar, else 0. A negative or NaN sigma gives NaN (ranked last).
 */
export function probabilityAbove(gain: number, sigma: number): number {
  if (Number.isNaN(sigma) || sigma < 0) return Number.NaN;
  if (sigma === 0) return gain > 0 ? 1 : 0;
  return normalCdf(gain / sigma);
}

/**
 * E[max(mu' + sigma Z - bar, 0)] for gain = mu' - bar: gain Phi(z) + sigma phi(z) with z = gain / sigma, and
 * max(gain, 0) when sigma = 0. Far below the bar (z < about -38) phi underflows and it is 0: such candidates
 * tie, and only matter when the batch cannot be filled with better ones.
 */
export function expectedImprovement(gain: number, sigma: number): number {
  if (Number.isNaN(sigma) || sigma < 0) return Number.NaN;
  if (sigma === 0) return Math.max(gain, 0);
  const z = gain / sigma;
  // never negative, though rounding can take gain*Phi + sigma*phi a hair below 0 deep in the lower tail
  return Math.max(gain * normalCdf(z) + sigma * normalPdf(z), 0);
}
