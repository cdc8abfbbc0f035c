/**
 * Expected hypervolume improvement (EHVI) by Monte Carlo, for several objectives predicted independently: each
 * candidate's objective k is N(mean_k, std_k), in the objective's units. Each of N draws turns the candidate into
 * a point in score space (objective.ts's `score`; the std is the same either way) and the estimate is the mean
 * of its exact hypervolume improvement over the current front (lib/domain/pareto.ts). Seeded, with common random
 * numbers: draw s uses the same standard normals for every candidate, so candidates are compared on the same
 * luck and the same seed gives the same numbers. With std = 0 every draw is the mean: EHVI is the exact HVI.
 *
 * Cost: candidates x N x one hypervolume of (front + 1) points. Campaigns reach it through the `ehvi` strategy
 * (multi-objective.ts).
 */
import type { Direction } from '../domain/objective.js';
import { score } from '../domain/objective.js';
import { hypervolume, hypervolumeImprovement, type Point, paretoFront } from '../domain/pareto.js';
import { childSeed, mulberry32, type Rng } from '../random.js';

/** Monte Carlo draws per candidate unless told otherwise: BoTorch's default sample count for qEHVI is 128 too. */
export const DEFAULT_EHVI_SAMPLES = 128;

/** Predictions for several objectives: `mean[k][i]` and `std[k][i]` for objective k, pool index i. */
export interface MultiPredictions {
  mean: readonly ArrayLike<number>[];
  std: readonly ArrayLike<number>[];
}

export interface EhviInput {
  predictions: MultiPredictions;
  objectives: readonly { direction: Direction }[];
  /** The observed points (score space); dominated ones may be left in, they change nothing. */
  front: readonly Point[];
  /** The hypervolume's corner in score space (pareto.ts's `referencePoint`). */
  reference: Point;
  seed: number;
  /** Monte Carlo draws per candidate (default DEFAULT_EHVI_SAMPLES). */
  samples?: number;
  /** A factor per pool index the batch ranks EHVI by (the probability of feasibility); default 1. */
  weight?: ArrayLike<number>;
}

/** Standard normals by Box-Muller, both of each pair; 1 - rng() is in (0, 1], so the log stays finite. */
function standardNormals(rng: Rng, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    out[i] = r * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}

/** The candidate's predicted mean as a score-space point. */
function meanPoint(input: EhviInput, i: number): number[] {
  return input.objectives.map((o, k) => score(o, input.predictions.mean[k]?.[i] as number));
}

/**
 * EHVI of each candidate (`candidates`, default every pool index), in the same order; NaN where a prediction is
 * NaN or a std is negative (ranked last by the caller).
 */
export function expectedHypervolumeImprovement(
  input: EhviInput,
  candidates?: readonly number[],
): Float64Array {
  const m = input.objectives.length;
  const n = input.samples ?? DEFAULT_EHVI_SAMPLES;
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`EHVI samples must be a positive integer, got ${n}`);
  const pool = candidates ?? Array.from({ length: input.predictions.mean[0]?.length ?? 0 }, (_, i) => i);
  const z = standardNormals(mulberry32(input.seed), n * m);
  // only the non-dominated points above the reference shape the volume: every draw is measured against them
  const front = paretoFront(input.front)
    .map((i) => input.front[i] as Point)
    .filter((p) => p.every((v, k) => v > (input.reference[k] as number)));
  const frontVolume = hypervolume(front, input.reference);
  const out = new Float64Array(pool.length);
  const draw = new Array<number>(m);
  pool.forEach((i, c) => {
    const mu = meanPoint(input, i);
    const sd = input.objectives.map((_, k) => input.predictions.std[k]?.[i] as number);
    // checked on the raw mean: `score` turns NaN into -Infinity, which would read as a certain 0
    const raw = input.objectives.map((_, k) => input.predictions.mean[k]?.[i] as number);
    if (raw.some(Number.isNaN) || sd.some((s) => Number.isNaN(s) || s < 0)) {
      out[c] = Number.NaN;
      return;
    }
    if (sd.every((s) => s === 0)) {
      out[c] = hypervolumeImprovement(front, mu, input.reference, frontVolume);
      return;
    }
    let sum = 0;
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < m; k++) draw[k] = (mu[k] as number) + (sd[k] as number) * (z[s * m + k] as number);
      sum += hypervolumeImprovement(front, draw, input.reference, frontVolume);
    }
    out[c] = sum / n;
  });
  return out;
}

/**
 * A batch of `batchSize` pool indices by sequential greedy EHVI with the kriging believer: each slot takes the
 * candidate of largest EHVI (lower index on ties; NaN never wins while anything else is left), then pretends
 * its predicted mean was observed, adding that point to the front, so the next slot values improvement beyond
 * it and a batch does not pile onto one spot. Slot t draws with childSeed(seed, t). Cost: batchSize EHVI passes.
 */
export function ehviBatch(
  input: EhviInput,
  batchSize: number,
  exclude: ReadonlySet<number> = new Set(),
): number[] {
  const poolSize = input.predictions.mean[0]?.length ?? 0;
  const open: number[] = [];
  for (let i = 0; i < poolSize; i++) if (!exclude.has(i)) open.push(i);
  const front = input.front.slice();
  const batch: number[] = [];
  for (let t = 0; t < batchSize && open.length > 0; t++) {
    const values = expectedHypervolumeImprovement({ ...input, front, seed: childSeed(input.seed, t) }, open);
    if (input.weight)
      for (let c = 0; c < open.length; c++)
        values[c] = (values[c] as number) * (input.weight[open[c] as number] as number);
    let best = 0;
    for (let c = 1; c < open.length; c++) {
      const v = values[c] as number;
      const b = values[best] as number;
      if (Number.isNaN(b) ? !Number.isNaN(v) : v > b) best = c;
    }
    const pick = open[best] as number;
    batch.push(pick);
    open.splice(best, 1);
    const believed = meanPoint(input, pick);
    // a NaN or infinite mean scores -Infinity: it adds nothing to the front, so it is not believed
    if (believed.every(Number.isFinite)) front.push(believed);
  }
  return batch;
}
