/**
 * What the active-learning bench scores a replayed campaign by. Pure (lib/ imports only), so that
 * test/unit/bench-al.test.ts checks each figure against one worked by hand.
 *
 * A hit is one of the pool's true top 1%: its successful molecules ranked by the top tier's value, best first.
 * A campaign found a hit when it evaluated that molecule at the top tier.
 */
import { type ObjectiveSpec, rank } from '../../lib/domain/objective.js';
import { JOULES_PER_KWH } from '../../lib/domain/units.js';

/** A molecule's value at the top tier (only successes have one). */
export interface Scored {
  idx: number;
  value: number;
}

/**
 * The best `fraction` of the scored molecules (at least one; ceil, so that 1% of 250 is 3, not 2): their pool
 * indices. Ties at the cut keep the input order (the Objective's stable rank).
 */
export function trueTop(scored: readonly Scored[], objective: ObjectiveSpec, fraction = 0.01): Set<number> {
  if (scored.length === 0) return new Set();
  const n = Math.max(1, Math.ceil(fraction * scored.length));
  return new Set(
    rank(objective, scored, (s) => s.value)
      .slice(0, n)
      .map((s) => s.idx),
  );
}

/** How many of the top molecules were evaluated at the top tier. */
export function hitsFound(top: ReadonlySet<number>, evaluatedAtTop: Iterable<number>): number {
  let found = 0;
  for (const idx of new Set(evaluatedAtTop)) if (top.has(idx)) found++;
  return found;
}

/**
 * The discovery curve, as MolPAL reports it: after each top-tier call (in the order they ran), how many of the top
 * had been found. Two campaigns that both find every hit by the end differ in how early they found them.
 */
export function discoveryCurve(top: ReadonlySet<number>, evaluatedAtTop: readonly number[]): number[] {
  const seen = new Set<number>();
  let found = 0;
  return evaluatedAtTop.map((idx) => {
    if (top.has(idx) && !seen.has(idx)) found++;
    seen.add(idx);
    return found;
  });
}

/**
 * The curve's area as a fraction of a perfect one's: the mean, over the budget's calls, of the fraction of the
 * top found so far, over the same mean for a campaign that evaluated the top first. 1 is perfect; NaN with no top
 * or no call.
 */
export function discoveryArea(curve: readonly number[], top: number): number {
  if (top === 0 || curve.length === 0) return Number.NaN;
  let area = 0;
  let perfect = 0;
  curve.forEach((found, k) => {
    area += found;
    perfect += Math.min(k + 1, top);
  });
  return area / perfect;
}

/**
 * Enrichment factor: the fraction of the top found over the fraction of the pool evaluated at the top tier.
 * A random choice scores 1 on average; the best possible is min(1/top fraction, 1/evaluated fraction).
 */
export function enrichmentFactor(a: {
  found: number;
  top: number;
  evaluated: number;
  poolSize: number;
}): number {
  if (a.top === 0 || a.evaluated === 0 || a.poolSize === 0) return Number.NaN;
  return a.found / a.top / (a.evaluated / a.poolSize);
}

export function kWh(joules: number): number {
  return joules / JOULES_PER_KWH;
}

/** Hits per kWh (Infinity for hits at no energy; NaN for nothing at all). */
export function hitsPerKWh(hits: number, joules: number): number {
  return hits / kWh(joules);
}

/** What computing one molecule cost, in joules: its 3D geometry and each tier's calculation it has. */
export interface MoleculeCost {
  geometryJoules: number;
  /** By tier name; a tier the molecule was never computed at is absent. */
  tierJoules: Readonly<Record<string, number>>;
}

/**
 * Brute force: every molecule computed at each of `tiers` (its geometry once, whatever the tiers). A molecule
 * with no result at any of them costs nothing.
 */
export function bruteForceJoules(molecules: readonly MoleculeCost[], tiers: readonly string[]): number {
  let joules = 0;
  for (const m of molecules) {
    const at = tiers.flatMap((t) => (m.tierJoules[t] === undefined ? [] : [m.tierJoules[t] as number]));
    if (at.length === 0) continue;
    joules += m.geometryJoules + at.reduce((a, b) => a + b, 0);
  }
  return joules;
}

/** The median (mean of the middle two for an even count; NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
