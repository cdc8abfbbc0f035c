/**
 * Class objectives: a campaign that wants as many candidates in a class as it can find, not the single best one.
 * The class is a bar on a property (`objective: {property: homoLumoGap, above: 3}`: a gap of at least 3 eV), or
 * that the candidate's calculations succeed (`{property: succeeds}`). A candidate in the class is a hit; the
 * campaign's figure of merit is its count of hits at the last tier, and a classifier learns the class each round
 * (activities/campaign/class-model.ts). Pure: the workflow, the activities and the CLI read the class here.
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { type ObjectiveSpec, type PropertyValues, reaches, valueOf } from '../domain/objective.js';

/** The campaign's objective as parsed (lib/campaign/schema.ts): a class objective carries its bar or `succeeds`. */
export interface ClassAware extends ObjectiveSpec {
  above?: number;
  below?: number;
  succeeds?: true;
}

/** A result as the class reads it: today's values per property, or (recorded earlier) the objective's value. */
export interface ClassResult {
  idx: number;
  status: string;
  values?: PropertyValues;
  value?: number;
}

export function isClassObjective(o: ClassAware): boolean {
  return o.above !== undefined || o.below !== undefined || o.succeeds === true;
}

/** The bar a value must reach to be a hit (at least it when above, at most it when below); none for `succeeds`. */
export function barOf(o: ClassAware): number | undefined {
  return o.above ?? o.below;
}

/** The class in a few words: "homoLumoGap >= 3", "calculations succeed". */
export function classText(o: ClassAware): string {
  if (o.above !== undefined) return `${o.property} >= ${o.above}`;
  if (o.below !== undefined) return `${o.property} <= ${o.below}`;
  return 'calculations succeed';
}

/**
 * Whether a result is a hit: it succeeded and reported the property, and (a bar) its value reaches the bar,
 * equality included (as promotion thresholds and acquisition.threshold do).
 */
export function inClass(o: ClassAware, r: Omit<ClassResult, 'idx'>): boolean {
  const v = r.status === 'ok' ? valueOf(o, r) : undefined;
  if (v === undefined) return false;
  const bar = barOf(o);
  return bar === undefined || reaches(o, v, bar);
}

/**
 * The hits among results, each candidate counted once; `counts` may leave some out (a result that breaks the
 * campaign's constraints is no hit, as it is never the best).
 */
export function hitsAmong(
  o: ClassAware,
  results: readonly ClassResult[],
  counts: (r: ClassResult) => boolean = () => true,
): number {
  const hits = new Set<number>();
  for (const r of results) if (inClass(o, r) && counts(r)) hits.add(r.idx);
  return hits.size;
}

/** What the class model learns at a retrain, or why it cannot yet. */
export type ClassTraining =
  | {
      /** The tier whose results gave the labels. */
      labelTier: string;
      /** Pool index -> 1 in the class, 0 not. */
      labels: Map<number, 0 | 1>;
      hits: number;
    }
  | { note: string };

/**
 * The class labels of the evaluated candidates. A bar: the results of the highest tier with at least `minEach`
 * hits and as many misses (early on, or with strict promotion, the last tier has few, and a cheaper tier's class
 * is a better guide than none), failed calculations left out (the failure classifier learns those).
 * `succeeds`: every evaluated candidate, 1 when each of its calculations succeeded, 0 when one failed.
 */
export function classLabels(
  o: ClassAware,
  evaluations: readonly (ClassResult & { tier: string })[],
  tiers: readonly string[],
  minEach: number,
): ClassTraining {
  const enough = (labels: Map<number, 0 | 1>) => {
    const hits = [...labels.values()].filter((v) => v === 1).length;
    return { hits, misses: labels.size - hits, ok: hits >= minEach && labels.size - hits >= minEach };
  };
  if (o.succeeds) {
    const labels = new Map<number, 0 | 1>();
    for (const e of evaluations) {
      if (!inClass(o, e)) labels.set(e.idx, 0);
      else if (!labels.has(e.idx)) labels.set(e.idx, 1);
    }
    const n = enough(labels);
    return n.ok
      ? { labelTier: tiers[tiers.length - 1] ?? '', labels, hits: n.hits }
      : {
          note: `needs ${minEach} successful and ${minEach} failed candidates; has ${n.hits} and ${n.misses}`,
        };
  }
  let best = { hits: 0, misses: 0, tier: '' };
  for (const tier of [...tiers].reverse()) {
    const labels = new Map<number, 0 | 1>();
    for (const e of evaluations) {
      if (e.tier !== tier || e.status !== 'ok' || valueOf(o, e) === undefined) continue;
      labels.set(e.idx, inClass(o, e) ? 1 : 0);
    }
    const n = enough(labels);
    if (n.ok) return { labelTier: tier, labels, hits: n.hits };
    if (n.hits + n.misses > best.hits + best.misses) best = { ...n, tier };
  }
  return {
    note: `needs ${minEach} candidates in the class (${classText(o)}) and ${minEach} outside it at one tier; has ${best.hits} and ${best.misses}${best.tier ? ` at ${best.tier}` : ''}`,
  };
}
