/**
 * What brute force would have cost: every candidate of the pool computed at the first tier, or through every
 * tier, each at the median cost measured per candidate there; against it, what the campaign spent, the top-tier
 * calls it did not make, and the hits each found per kWh. Tiers without a measured candidate are unknown, never
 * guessed. Pure.
 */
import { normalCdf } from '../domain/normal.js';
import { type ObjectiveSpec, rank, reaches, score } from '../domain/objective.js';
import { JOULES_PER_KWH } from '../domain/units.js';

export interface Cost {
  cpuSeconds: number;
  energyJoules: number;
}

/** What one tier of the ladder measured. */
export interface TierMeasurements {
  tier: string;
  /** Candidates evaluated at this tier: computed, cache hits and failures alike. */
  calls: number;
  /** The cost of each candidate computed at this tier (cache hits left out: they cost nothing this time). */
  costs: readonly Cost[];
  /** Whether the costs include making each candidate's structure (the ledger names the candidate it was for). */
  withGeometry: boolean;
}

/** The campaign's ledger, one line per activity. */
export interface ActivityCost extends Cost {
  activity: string;
}

/**
 * The latest surrogate's predictive distribution of the top tier's value, for every candidate without a
 * top-tier evaluation; or why there is none that can be used.
 */
export type SurrogateOutlook = { predictions: readonly Gaussian[] } | { unavailable: string };

export interface Gaussian {
  mean: number;
  std: number;
}

export interface CounterfactualInput {
  poolSize: number;
  /** In ladder order, cheapest first; the last is the top tier. */
  tiers: readonly TierMeasurements[];
  actual: readonly ActivityCost[];
  objective: Pick<ObjectiveSpec, 'direction'>;
  /** `stopping.target`: a hit is a candidate that reaches it. */
  target?: number;
  /** Without a target, a hit is one of the campaign's k best at the top tier. */
  hitsTopK: number;
  /** The objective's values of the candidates evaluated at the top tier. */
  topValues: readonly number[];
  /** Needed with a target only. */
  surrogate?: SurrogateOutlook;
}

export interface TierCounterfactual {
  tier: string;
  calls: number;
  /** Candidates whose cost was measured (computed, not cache hits). */
  measured: number;
  withGeometry: boolean;
  /** Per candidate; absent when nothing was measured at this tier. */
  median?: Cost;
  /** The pool times the median; absent when unknown. */
  bruteForce?: Cost;
}

export interface Saving extends Cost {
  /** What the campaign spent as a fraction of brute force (energy); absent when brute force costs nothing. */
  ratio?: number;
}

export interface Hits {
  tier: string;
  /** `target`: reaching stopping.target; `top-k`: reaching the campaign's k-th best top-tier value. */
  definition: 'target' | 'top-k';
  /** The value a hit reaches; absent in top-k mode before any top-tier result. */
  threshold?: number;
  k?: number;
  found: number;
  perKWh?: number;
  /** Brute force's hits; absent when unknown (`unknown` says why). */
  bruteForce?: number;
  /**
   * `top-k`: by definition brute force finds the k best (and any tied with the k-th); `exact`: every candidate
   * has a top-tier result already; `surrogate`: the hits found plus the expected hits among the others,
   * estimated from the latest surrogate's predictive distributions.
   */
  bruteForceBasis?: 'top-k' | 'exact' | 'surrogate';
  bruteForcePerKWh?: number;
  unknown?: string;
}

export interface Counterfactual {
  poolSize: number;
  tiers: TierCounterfactual[];
  bruteForce: { firstTier?: Cost; allTiers?: Cost };
  /** Everything in the ledger, and its calculations (QM and structure generation) alone. */
  actual: Cost & { qm: Cost };
  /** Brute force minus the campaign's total (negative when the campaign cost more). */
  saved: { vsFirstTier?: Saving; vsAllTiers?: Saving };
  topTierCallsAvoided: number;
  hits: Hits;
  /**
   * The ledger holds geometry the per-candidate costs leave out (its lines do not name their candidates yet):
   * brute force's figures are its calculations alone, and low by that much per candidate.
   */
  geometryLeftOut: boolean;
}

export function counterfactual(input: CounterfactualInput): Counterfactual {
  const tiers = input.tiers.map((t) => tierCounterfactual(t, input.poolSize));
  const firstTier = tiers[0]?.bruteForce;
  const known = tiers.map((t) => t.bruteForce);
  const allTiers =
    known.length > 0 && known.every((c) => c !== undefined) ? sumCosts(known as Cost[]) : undefined;
  const actual = {
    ...sumCosts(input.actual),
    qm: sumCosts(input.actual.filter((a) => isCalculation(a.activity))),
  };
  const top = input.tiers[input.tiers.length - 1];
  return {
    poolSize: input.poolSize,
    tiers,
    bruteForce: { ...(firstTier ? { firstTier } : {}), ...(allTiers ? { allTiers } : {}) },
    actual,
    saved: {
      ...(firstTier ? { vsFirstTier: saving(firstTier, actual) } : {}),
      ...(allTiers ? { vsAllTiers: saving(allTiers, actual) } : {}),
    },
    topTierCallsAvoided: Math.max(0, input.poolSize - (top?.calls ?? 0)),
    hits: hits(input, top, actual.energyJoules, allTiers?.energyJoules),
    geometryLeftOut:
      !input.tiers.some((t) => t.withGeometry) &&
      input.actual.some((a) => a.activity === 'geometry' && a.cpuSeconds > 0),
  };
}

/** Ledger activities that are the calculations brute force would repeat: each tier's QM and structures. */
function isCalculation(activity: string): boolean {
  return activity.startsWith('qm:') || activity === 'geometry';
}

function tierCounterfactual(t: TierMeasurements, poolSize: number): TierCounterfactual {
  const base = { tier: t.tier, calls: t.calls, measured: t.costs.length, withGeometry: t.withGeometry };
  if (t.costs.length === 0) return base;
  const median = {
    cpuSeconds: medianOf(t.costs.map((c) => c.cpuSeconds)),
    energyJoules: medianOf(t.costs.map((c) => c.energyJoules)),
  };
  return {
    ...base,
    median,
    bruteForce: { cpuSeconds: poolSize * median.cpuSeconds, energyJoules: poolSize * median.energyJoules },
  };
}

/** The median (the mean of the two middle values for an even count): one slow outlier does not move it. */
export function medianOf(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('the median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function sumCosts(list: readonly Cost[]): Cost {
  return {
    cpuSeconds: list.reduce((a, c) => a + c.cpuSeconds, 0),
    energyJoules: list.reduce((a, c) => a + c.energyJoules, 0),
  };
}

function saving(brute: Cost, actual: Cost): Saving {
  return {
    cpuSeconds: brute.cpuSeconds - actual.cpuSeconds,
    energyJoules: brute.energyJoules - actual.energyJoules,
    ...(brute.energyJoules > 0 ? { ratio: actual.energyJoules / brute.energyJoules } : {}),
  };
}

const perKWh = (n: number | undefined, joules: number | undefined): number | undefined =>
  n !== undefined && joules !== undefined && joules > 0 ? n / (joules / JOULES_PER_KWH) : undefined;

/**
 * Hits: top-tier results that reach a threshold, for the campaign and for brute force (whose energy is every
 * tier's, since the top tier starts from the structures of the tiers below it).
 */
function hits(
  input: CounterfactualInput,
  top: TierMeasurements | undefined,
  actualJoules: number,
  bruteJoules: number | undefined,
): Hits {
  const tier = top?.tier ?? '';
  const o = input.objective;
  const found = (t: number) => input.topValues.filter((v) => reaches(o, v, t)).length;
  const withRates = (h: Omit<Hits, 'perKWh' | 'bruteForcePerKWh'>): Hits => {
    const mine = perKWh(h.found, actualJoules);
    const brute = perKWh(h.bruteForce, bruteJoules);
    return {
      ...h,
      ...(mine !== undefined ? { perKWh: mine } : {}),
      ...(brute !== undefined ? { bruteForcePerKWh: brute } : {}),
    };
  };

  if (input.target === undefined) {
    const k = input.hitsTopK;
    const ranked = rank(o, input.topValues, (v) => v);
    // fewer than k results: the campaign's list of its k best is what it has so far
    const threshold = ranked[Math.min(k, ranked.length) - 1];
    if (threshold === undefined)
      return withRates({ tier, definition: 'top-k', k, found: 0, unknown: `no ${tier} result yet` });
    const n = found(threshold);
    // brute force computes everything the campaign did, so it finds at least the same (ties included)
    return withRates({
      tier,
      definition: 'top-k',
      threshold,
      k,
      found: n,
      bruteForce: Math.max(k, n),
      bruteForceBasis: 'top-k',
    });
  }

  const threshold = input.target;
  const n = found(threshold);
  const base = { tier, definition: 'target' as const, threshold, found: n };
  const unevaluated = Math.max(0, input.poolSize - (top?.calls ?? 0));
  if (unevaluated === 0) return withRates({ ...base, bruteForce: n, bruteForceBasis: 'exact' });
  const surrogate = input.surrogate ?? { unavailable: 'no surrogate predictions' };
  if ('unavailable' in surrogate) return withRates({ ...base, unknown: surrogate.unavailable });
  const predictions = surrogate.predictions;
  if (predictions.length < unevaluated)
    return withRates({
      ...base,
      unknown: `the surrogate predicted ${predictions.length} of the ${unevaluated} candidates without a ${tier} result`,
    });
  const expected = predictions.reduce((a, p) => a + probabilityOfReaching(o, p, threshold), 0);
  return withRates({ ...base, bruteForce: n + expected, bruteForceBasis: 'surrogate' });
}

/**
 * P(y reaches the bound) for y ~ N(mean, std), whichever the direction: the score is the value with the
 * direction's sign applied, so it is N(score(mean), std) and reaching is score(y) >= score(bound).
 */
export function probabilityOfReaching(
  o: Pick<ObjectiveSpec, 'direction'>,
  p: Gaussian,
  bound: number,
): number {
  if (!(p.std > 0)) return reaches(o, p.mean, bound) ? 1 : 0;
  return normalCdf((score(o, p.mean) - score(o, bound)) / p.std);
}
