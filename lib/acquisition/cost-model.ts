/**
 * What evaluating a candidate will cost, predicted from what past evaluations cost: per tier, a least-squares
 * line of log(cost) against log(heavy atoms) (a power law, cost ~ a * N^b, as QM costs grow), or the tier's
 * median cost while it has too few points (or sizes that do not vary) to fit a line. A candidate's expected
 * cost sums the tiers it is likely to reach: every acquired candidate runs the first tier, and the later ones
 * in the proportion of candidates that reached them so far. Pure: the caller gives the pairs.
 */

/** One past evaluation: its tier, its candidate's size and what it cost (CPU seconds, or joules). */
export interface CostObservation {
  tier: string;
  heavyAtoms: number;
  cost: number;
}

/** A tier's model: a power law when fitted, else its median cost. */
export interface TierCost {
  tier: string;
  /** Observations it was built from (positive costs only). */
  points: number;
  /** log(cost) = intercept + slope * log(heavyAtoms); absent when the median stands in. */
  fit?: { intercept: number; slope: number };
  median: number;
}

/**
 * Fewest points for a line: two parameters from four points would chase noise; five is where a log-log line
 * over a few sizes starts to say something.
 */
export const MIN_FIT_POINTS = 5;

/**
 * Fits every tier that has a positive cost. Zero costs (cache hits, which ran nothing) and non-finite ones are
 * left out. Sizes below 1 count as 1 (a crystal has no heavy-atom count: its tier falls back to the median).
 * A fitted slope below 0 (larger molecules cheaper: noise) is replaced by a flat line at the geometric mean.
 */
export function fitCostModel(observations: readonly CostObservation[]): Map<string, TierCost> {
  const byTier = new Map<string, { x: number[]; y: number[]; costs: number[] }>();
  for (const o of observations) {
    if (!(Number.isFinite(o.cost) && o.cost > 0 && Number.isFinite(o.heavyAtoms))) continue;
    let t = byTier.get(o.tier);
    if (!t) {
      t = { x: [], y: [], costs: [] };
      byTier.set(o.tier, t);
    }
    t.x.push(Math.log(Math.max(o.heavyAtoms, 1)));
    t.y.push(Math.log(o.cost));
    t.costs.push(o.cost);
  }
  const model = new Map<string, TierCost>();
  for (const [tier, { x, y, costs }] of byTier) {
    model.set(tier, { tier, points: costs.length, median: median(costs), fit: logLogFit(x, y) });
  }
  return model;
}

/** Ordinary least squares of y on x; undefined with too few points or no spread in x. */
function logLogFit(x: readonly number[], y: readonly number[]): TierCost['fit'] {
  const n = x.length;
  if (n < MIN_FIT_POINTS) return undefined;
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((y[i] as number) - my);
  }
  // sizes that (nearly) all agree say nothing about how cost grows with size
  if (!(sxx > 1e-12 * n)) return undefined;
  const slope = sxy / sxx;
  if (slope < 0) return { intercept: my, slope: 0 };
  return { intercept: my - slope * mx, slope };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A tier's predicted cost for a candidate of `heavyAtoms`; undefined for a tier without observations. */
export function tierCost(
  model: ReadonlyMap<string, TierCost>,
  tier: string,
  heavyAtoms: number,
): number | undefined {
  const t = model.get(tier);
  if (!t) return undefined;
  if (!t.fit) return t.median;
  return Math.exp(t.fit.intercept + t.fit.slope * Math.log(Math.max(heavyAtoms, 1)));
}

/**
 * The share of evaluated candidates that reached each tier: 1 for the first (every acquired candidate runs it),
 * less for the tiers candidates are promoted to. From (candidate, tier) pairs of past evaluations.
 */
export function reachOf(evaluations: ReadonlyArray<{ idx: number; tier: string }>): Map<string, number> {
  const all = new Set<number>();
  const perTier = new Map<string, Set<number>>();
  for (const e of evaluations) {
    all.add(e.idx);
    let s = perTier.get(e.tier);
    if (!s) {
      s = new Set();
      perTier.set(e.tier, s);
    }
    s.add(e.idx);
  }
  return new Map([...perTier].map(([tier, s]) => [tier, s.size / all.size]));
}

/**
 * A candidate's expected cost: the sum over tiers of (share reaching the tier) x (the tier's predicted cost).
 * Tiers without a cost model (reached only through cache hits) add nothing; undefined when no tier has one.
 */
export function expectedCost(
  model: ReadonlyMap<string, TierCost>,
  reach: ReadonlyMap<string, number>,
  heavyAtoms: number,
): number | undefined {
  let total = 0;
  let known = false;
  for (const [tier, share] of reach) {
    const c = tierCost(model, tier, heavyAtoms);
    if (c === undefined) continue;
    total += share * c;
    known = true;
  }
  return known ? total : undefined;
}
