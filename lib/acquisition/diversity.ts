/**
 * A diverse batch from the top of a ranking: greedy MaxMin on Tanimoto distance, traded against score (the
 * maximal-marginal-relevance rule). The shortlist is the best batchSize x DIVERSITY_OVERSAMPLE candidates
 * (`shortlistSize`); the first pick is the best one, and each next pick maximises
 *
 *   (1 - lambda) * s + lambda * d
 *
 * where s is the candidate's score scaled to [0, 1] over the shortlist (min-max; all 1 when they tie) and d its
 * smallest Tanimoto distance (1 - similarity) to the candidates already picked. lambda = 0 is the plain top-k,
 * lambda = 1 pure MaxMin within the shortlist. Both terms lie in [0, 1], so lambda reads as the weight put on
 * novelty: at 0.5 a near-duplicate of a pick (d ~ 0.1) gives way to a novel candidate (d ~ 0.9) whose scaled
 * score is up to 0.8 lower.
 */
import { bitCount, packBits, tanimotoCounted } from './tanimoto.js';

/**
 * How deep into the ranking a diverse batch may reach: 5 x the batch keeps every pick among the strongest
 * candidates (at lambda = 1 the worst pick is still in the top 5k) while leaving room for several clusters.
 */
export const DIVERSITY_OVERSAMPLE = 5;

/**
 * The most candidates a shortlist holds whatever the batch: picking costs shortlist x batch Tanimoto
 * comparisons, and the caller fetches every shortlisted feature row (5000 rows of 2048 floats: 40 MB).
 */
export const SHORTLIST_MAX = 5000;

/** Candidates a diverse batch of `batchSize` is picked from: never fewer than the batch itself. */
export function shortlistSize(batchSize: number): number {
  return Math.max(batchSize, Math.min(batchSize * DIVERSITY_OVERSAMPLE, SHORTLIST_MAX));
}

/** A ranked candidate: its pool index and its (finite or -Infinity) acquisition value. */
export interface Ranked {
  i: number;
  v: number;
}

/**
 * Up to `batchSize` pool indices from `shortlist` (best first), picked by the rule above. Ties go to the better
 * ranked candidate, so the result is deterministic.
 */
export function diverseBatch(
  shortlist: readonly Ranked[],
  fingerprint: (idx: number) => ArrayLike<number>,
  batchSize: number,
  lambda: number,
): number[] {
  const n = shortlist.length;
  if (n === 0 || batchSize <= 0) return [];
  const scaled = scaleToUnit(shortlist.map((r) => r.v));
  const fps = shortlist.map((r) => packBits(fingerprint(r.i)));
  const counts = fps.map(bitCount);
  const minDistance = new Float64Array(n).fill(1);
  const picked = new Uint8Array(n);
  const batch: number[] = [];
  let next = 0; // the best ranked candidate goes first, whatever lambda
  while (next >= 0) {
    picked[next] = 1;
    batch.push((shortlist[next] as Ranked).i);
    if (batch.length === batchSize) break;
    const fp = fps[next] as Uint32Array;
    const count = counts[next] as number;
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (picked[j]) continue;
      const d = 1 - tanimotoCounted(fp, fps[j] as Uint32Array, count, counts[j] as number);
      if (d < (minDistance[j] as number)) minDistance[j] = d;
      const value = (1 - lambda) * (scaled[j] as number) + lambda * (minDistance[j] as number);
      if (value > bestValue) {
        best = j;
        bestValue = value;
      }
    }
    next = best;
  }
  return batch;
}

/** Min-max scaling to [0, 1] over the finite values; -Infinity and NaN become 0, +Infinity and ties 1. */
function scaleToUnit(values: readonly number[]): Float64Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return Float64Array.from(values, (v) => {
    if (v === Number.POSITIVE_INFINITY) return 1;
    if (!Number.isFinite(v)) return 0;
    return hi > lo ? (v - lo) / (hi - lo) : 1;
  });
}
