/**
 * The multi-objective strategies, as registry entries: `ehvi` (expected hypervolume improvement, batch by the
 * kriging believer: lib/acquisition/ehvi.ts) and `parego` (one random Chebyshev scalarisation per batch:
 * lib/acquisition/parego.ts). Both need `multi`: every objective's predictions and the values observed so far;
 * with constraints, each candidate's value is weighted by its probability of feasibility. Pure.
 */
import { hypervolume, type Point, paretoFront, referencePoint, toScores } from '../domain/pareto.js';
import { type EhviInput, ehviBatch } from './ehvi.js';
import { DEFAULT_RHO, parego as paregoScores } from './parego.js';
import type { ChoosingStrategy, MultiObjectiveInputs } from './strategy.js';
import { topK } from './top-k.js';

/**
 * Above this many open candidates, EHVI is computed on a shortlist: the union of each objective's best
 * SHORTLIST_PER_OBJECTIVE by optimistic value (mean + 2 std in score space). A candidate outside it is beaten on
 * every axis by hundreds of others and could add little volume; it keeps EHVI's cost flat in the pool's size.
 */
export const EHVI_FULL_BELOW = 2000;
export const SHORTLIST_PER_OBJECTIVE = 500;

/** The observed points in score space and the hypervolume's corner. */
export function frontAndReference(m: MultiObjectiveInputs): { front: Point[]; reference: number[] } {
  const front = toScores(m.objectives, m.observed);
  let reference = referencePoint(m.objectives, front);
  if (reference.some(Number.isNaN)) {
    // no finite observation of an objective yet: place its corner below the predicted means instead
    const n = m.predictions.mean[0]?.length ?? 0;
    const predicted = Array.from({ length: n }, (_, i) => m.predictions.mean.map((col) => col[i] as number));
    const fallback = referencePoint(m.objectives, toScores(m.objectives, predicted));
    reference = reference.map((r, k) => (Number.isNaN(r) ? (fallback[k] as number) : r));
  }
  return { front, reference };
}

/**
 * The hypervolume of observed values (units of each objective), against `reference` (score space) when given,
 * else the corner the objectives give or the observations imply.
 */
export function observedHypervolume(
  m: Pick<MultiObjectiveInputs, 'objectives' | 'observed'>,
  reference: readonly number[] = referencePoint(m.objectives, toScores(m.objectives, m.observed)),
): number {
  if (m.observed.length === 0) return 0;
  const scores = toScores(m.objectives, m.observed);
  if (reference.some(Number.isNaN)) return 0;
  return hypervolume(
    paretoFront(scores).map((i) => scores[i] as Point),
    reference,
  );
}

export const ehvi: ChoosingStrategy = {
  description:
    'several objectives: expected hypervolume improvement (Monte Carlo), a batch by the kriging believer',
  needs: ['multi'],
  multiObjective: true,
  choose: (c) => {
    const m = c.multi as MultiObjectiveInputs;
    const { front, reference } = frontAndReference(m);
    const input: EhviInput = {
      predictions: m.predictions,
      objectives: m.objectives,
      front,
      reference,
      seed: c.seed,
      ...(c.feasibility ? { weight: c.feasibility } : {}),
    };
    const exclude = new Set(c.exclude);
    const open = c.poolSize - exclude.size;
    if (open > EHVI_FULL_BELOW) {
      const keep = optimisticShortlist(m, exclude, c.poolSize);
      for (let i = 0; i < c.poolSize; i++) if (!keep.has(i)) exclude.add(i);
    }
    return ehviBatch(input, c.batchSize, exclude);
  },
};

export const parego: ChoosingStrategy = {
  description:
    'several objectives: a random Chebyshev scalarisation of the predicted means per batch (ParEGO), best first',
  needs: ['multi'],
  multiObjective: true,
  choose: (c) => {
    const m = c.multi as MultiObjectiveInputs;
    const { scores } = paregoScores({
      predictions: m.predictions,
      objectives: m.objectives,
      seed: c.seed,
      kappa: c.params?.kappa ?? 0,
    });
    // scores lie in [-(1 + rho), 0]: shifted to be non-negative, they can be weighted by feasibility
    const value = (i: number) => {
      const s = (scores[i] as number) + 1 + DEFAULT_RHO * m.objectives.length;
      const v = c.feasibility ? s * (c.feasibility[i] as number) : s;
      return Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
    };
    return topK(
      Float64Array.from({ length: c.poolSize }, (_, i) => value(i)),
      c.batchSize,
      (i) => !c.exclude.has(i),
    );
  },
};

function optimisticShortlist(m: MultiObjectiveInputs, exclude: ReadonlySet<number>, poolSize: number) {
  const keep = new Set<number>();
  m.objectives.forEach((o, k) => {
    const sign = o.direction === 'maximize' ? 1 : -1;
    const mean = m.predictions.mean[k] as ArrayLike<number>;
    const std = m.predictions.std[k] as ArrayLike<number>;
    const optimistic = new Float64Array(poolSize);
    for (let i = 0; i < poolSize; i++) {
      const v = sign * (mean[i] as number) + 2 * (std[i] as number);
      optimistic[i] = Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
    }
    for (const i of topK(optimistic, SHORTLIST_PER_OBJECTIVE, (i) => !exclude.has(i))) keep.add(i);
  });
  return keep;
}
