/**
 * Constraints in acquisition: the probability that a candidate meets every bound (`homoLumoGap >= 3`), from the
 * surrogate's predictive Gaussian of each constrained property, the bounds taken as independent (the product of
 * the per-bound probabilities, as constrained EI does: Gardner et al. 2014). A property known exactly (the SA
 * score, std 0) gives 0 or 1. Pure.
 */
import { probabilityAbove } from './gaussian.js';

export interface Bound {
  property: string;
  op: '>=' | '<=';
  bound: number;
}

/** A property's prediction for every pool index (std 0 where it is known exactly). */
export interface PropertyPrediction {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/**
 * P(every bound holds) per pool index. `predicted(property)` gives each constrained property's prediction; a
 * NaN prediction gives NaN (ranked last by the caller).
 */
export function feasibility(
  bounds: readonly Bound[],
  predicted: (property: string) => PropertyPrediction,
  poolSize: number,
): Float64Array {
  const out = new Float64Array(poolSize).fill(1);
  for (const b of bounds) {
    const p = predicted(b.property);
    for (let i = 0; i < poolSize; i++)
      out[i] = (out[i] as number) * holds(b, p.mean[i] as number, p.std[i] as number);
  }
  return out;
}

/** P(X op bound) for X ~ N(mean, std): above for >=, below for <=. At std 0, whether the mean meets it. */
export function holds(b: Pick<Bound, 'op' | 'bound'>, mean: number, std: number): number {
  if (Number.isNaN(mean)) return Number.NaN;
  if (std === 0) return b.op === '>=' ? Number(mean >= b.bound) : Number(mean <= b.bound);
  return probabilityAbove(b.op === '>=' ? mean - b.bound : b.bound - mean, std);
}

/** Whether evaluated values meet every bound; a value not reported breaks its bound. */
export function meetsAll(
  bounds: readonly Bound[],
  values: Readonly<Record<string, number | undefined>>,
): boolean {
  return bounds.every((b) => {
    const v = values[b.property];
    return v !== undefined && !Number.isNaN(v) && (b.op === '>=' ? v >= b.bound : v <= b.bound);
  });
}
