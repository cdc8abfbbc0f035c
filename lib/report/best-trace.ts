/**
 * How the best value grew with compute: after each evaluation, the calls made so far, the energy the ledger had
 * recorded by then, and the best top-tier value; against it, what random screening through the same ladder
 * would be expected to find for the same calls and energy. Pure.
 */
import { isBetter, type ObjectiveSpec, rank } from '../domain/objective.js';
import { JOULES_PER_KWH } from '../domain/units.js';

export interface TracedEvaluation {
  tier: string;
  status: 'ok' | 'failed';
  /** The objective's value, when the evaluation has one. */
  value?: number;
  cached: boolean;
  /** ISO 8601, comparable as text. */
  at: string;
}

export interface TracedCost {
  at: string;
  energyJoules: number;
}

export interface TracePoint {
  /** Calculations requested so far, every tier (cache hits included: the campaign asked for them). */
  calls: number;
  /** Energy of every ledger line written by the time of this evaluation. */
  kWh: number;
  /** The best top-tier value so far. */
  best: number;
}

/**
 * One point per evaluation from the first top-tier result on (before it there is no best). `evaluations` and
 * `costs` in the order they were written.
 */
export function bestTrace(
  evaluations: readonly TracedEvaluation[],
  costs: readonly TracedCost[],
  objective: Pick<ObjectiveSpec, 'direction'>,
  topTier: string,
): TracePoint[] {
  const out: TracePoint[] = [];
  let best: number | undefined;
  let joules = 0;
  let c = 0;
  evaluations.forEach((e, i) => {
    // ledger lines written by then (a calculation's own line is written just after its evaluation, in the
    // same transaction: it counts from the next point on)
    while (c < costs.length && (costs[c] as TracedCost).at <= e.at)
      joules += (costs[c++] as TracedCost).energyJoules;
    const v = e.value;
    if (e.tier === topTier && e.status === 'ok' && v !== undefined && Number.isFinite(v))
      if (best === undefined || isBetter(objective, v, best)) best = v;
    if (best !== undefined) out.push({ calls: i + 1, kWh: joules / JOULES_PER_KWH, best });
  });
  return out;
}

/**
 * The expected best of n candidates drawn at random without replacement from a pool whose values are `values`:
 * the k-th best of N is the best of the draw with probability C(N-k, n-1) / C(N, n). Exact, O(N) per n.
 */
export function expectedBestOfRandom(
  objective: Pick<ObjectiveSpec, 'direction'>,
  values: readonly number[],
  n: number,
): number | undefined {
  const ranked = rank(objective, values, (v) => v);
  const N = ranked.length;
  if (N === 0 || n < 1) return undefined;
  const draws = Math.min(n, N);
  // P(best of the draw is the k-th best) for k = 1..N-n+1, by the ratio of consecutive terms (no factorials)
  let p = draws / N; // k = 1: C(N-1, n-1) / C(N, n)
  let expected = 0;
  for (let k = 1; k <= N - draws + 1; k++) {
    expected += p * (ranked[k - 1] as number);
    // C(N-k-1, n-1) / C(N-k, n-1) = (N-k-n+1) / (N-k)
    p *= N - k > 0 ? (N - k - draws + 1) / (N - k) : 0;
  }
  return expected;
}

export interface ReferencePoint {
  calls: number;
  kWh: number;
  best: number;
}

/** How many random draws the reference is drawn at: enough for a smooth curve, cheap for a large pool. */
export const REFERENCE_POINTS = 120;

/**
 * Random screening through the ladder: n random candidates each computed at every tier (`tiers` calls and
 * `joulesPerCandidate` each), for n from 1 to the whole pool (about `REFERENCE_POINTS` values of n).
 */
export function randomReference(
  objective: Pick<ObjectiveSpec, 'direction'>,
  values: readonly number[],
  o: { tiers: number; joulesPerCandidate: number },
): ReferencePoint[] {
  const N = values.length;
  const counts = new Set<number>();
  for (let k = 1; k <= REFERENCE_POINTS; k++) counts.add(Math.max(1, Math.round((k * N) / REFERENCE_POINTS)));
  return [...counts]
    .sort((a, b) => a - b)
    .flatMap((n) => {
      const best = expectedBestOfRandom(objective, values, n);
      return best === undefined
        ? []
        : [{ calls: n * o.tiers, kWh: (n * o.joulesPerCandidate) / JOULES_PER_KWH, best }];
    });
}
