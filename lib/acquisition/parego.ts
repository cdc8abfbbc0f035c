/**
 * ParEGO-style random scalarisation (Knowles 2006): one weight vector per batch, uniform on the simplex, turns
 * several predicted objectives into one score through the augmented Chebyshev function, so any single-objective
 * ranking can follow. Successive batches draw different weights and so aim at different parts of the front.
 *
 * In score space (objective.ts's `score`: larger is better), each predicted mean is normalised to [0, 1] over
 * `bounds` (default: the range of the candidates' predicted means), 1 the best; with the shortfall c_k = 1 - y_k
 * the score is  -(max_k w_k c_k + rho sum_k w_k c_k)  (Knowles's rho = 0.05), larger is better. With kappa > 0
 * it adds kappa times the scalarised std, by the delta method at the mean: the gradient of the score in y is
 * g_k = w_k (rho + [k is the max term's objective]), so sigma = sqrt(sum_k (g_k std_k / range_k)^2). Campaigns
 * reach it through the `parego` strategy (multi-objective.ts).
 */
import type { Direction } from '../domain/objective.js';
import { score } from '../domain/objective.js';
import { mulberry32 } from '../random.js';
import type { MultiPredictions } from './ehvi.js';

/** Knowles's augmentation: small enough to keep the Chebyshev shape, large enough to break its ties. */
export const DEFAULT_RHO = 0.05;

/**
 * A weight vector uniform on the simplex (non-negative, summing to 1): m exponential draws, normalised (the
 * Dirichlet(1, ..., 1) construction). Seeded. ParEGO itself draws from a fixed lattice; a continuous draw needs
 * no lattice size and covers the same simplex.
 */
export function simplexWeights(m: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const e = Array.from({ length: m }, () => -Math.log(1 - rng())); // 1 - rng() in (0, 1]: finite, >= 0
  const total = e.reduce((a, b) => a + b, 0);
  return total > 0 ? e.map((x) => x / total) : e.map(() => 1 / m);
}

export interface ParegoInput {
  predictions: MultiPredictions;
  objectives: readonly { direction: Direction }[];
  seed: number;
  /** Augmentation (default DEFAULT_RHO). */
  rho?: number;
  /** Optimism on the scalarised std (default 0: the mean's scalarisation alone). */
  kappa?: number;
  /** Per objective, the score-space [worst, best] to normalise over (default: the candidates' predicted means). */
  bounds?: readonly (readonly [number, number])[];
}

export interface ParegoScores {
  weights: number[];
  /** One score per pool index, larger is better; NaN where a predicted mean is not finite. */
  scores: Float64Array;
}

export function parego(input: ParegoInput): ParegoScores {
  const m = input.objectives.length;
  const n = input.predictions.mean[0]?.length ?? 0;
  const rho = input.rho ?? DEFAULT_RHO;
  const kappa = input.kappa ?? 0;
  const weights = simplexWeights(m, input.seed);
  const mu = input.objectives.map((o, k) =>
    Float64Array.from({ length: n }, (_, i) => score(o, input.predictions.mean[k]?.[i] as number)),
  );
  const bounds = input.bounds ?? mu.map(finiteRange);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // a NaN or infinite mean has no place in [0, 1]: NaN, ranked last by the caller
    if (!mu.every((column) => Number.isFinite(column[i] as number))) {
      scores[i] = Number.NaN;
      continue;
    }
    let maxTerm = Number.NEGATIVE_INFINITY;
    let active = 0;
    let sumTerm = 0;
    for (let k = 0; k < m; k++) {
      const [lo, hi] = bounds[k] as readonly [number, number];
      const range = hi - lo > 0 ? hi - lo : 1; // one candidate, or all equal: nothing to normalise by
      const shortfall = 1 - ((mu[k]?.[i] as number) - lo) / range;
      const term = (weights[k] as number) * shortfall;
      if (term > maxTerm) {
        maxTerm = term;
        active = k;
      }
      sumTerm += term;
    }
    let value = -(maxTerm + rho * sumTerm);
    if (kappa !== 0) {
      let variance = 0;
      for (let k = 0; k < m; k++) {
        const [lo, hi] = bounds[k] as readonly [number, number];
        const range = hi - lo > 0 ? hi - lo : 1;
        const g = (weights[k] as number) * (rho + (k === active ? 1 : 0));
        const s = (g * (input.predictions.std[k]?.[i] as number)) / range;
        variance += s * s;
      }
      value += kappa * Math.sqrt(variance);
    }
    scores[i] = value;
  }
  return { weights, scores };
}

/** [min, max] of the finite values ([0, 1] when none is finite, so every score is NaN or -Infinity anyway). */
function finiteRange(values: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
