import { describe, expect, it } from 'vitest';
import { acquire, strategies } from '../../lib/acquisition/index.js';
import { topK } from '../../lib/acquisition/top-k.js';
import { score } from '../../lib/domain/objective.js';
import { mulberry32, randomInt } from '../../lib/random.js';

/** Larger first, ties to the lower index, NaN after everything: the order acquisition has always ranked by. */
function fullSort(values: ArrayLike<number>, include: (i: number) => boolean = () => true): number[] {
  const key = (i: number) => (Number.isNaN(values[i]) ? 1 : 0);
  const open: number[] = [];
  for (let i = 0; i < values.length; i++) if (include(i)) open.push(i);
  return open.sort((a, b) => {
    const na = key(a);
    const nb = key(b);
    if (na !== nb) return na - nb;
    const x = values[a] as number;
    const y = values[b] as number;
    if (na === 0 && x !== y) return x > y ? -1 : 1;
    return a - b;
  });
}

/** A million scores on a coarse grid (many ties), with NaN, -Infinity and +Infinity sprinkled in. */
function scores(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => {
    const u = rng();
    if (u < 0.01) return Number.NaN;
    if (u < 0.015) return Number.NEGATIVE_INFINITY;
    if (u < 0.0152) return Number.POSITIVE_INFINITY;
    return Math.round(rng() * 2000) / 100 - 10;
  });
}

describe('topK', () => {
  const n = 1_000_000;
  const values = scores(n, 7);
  const sorted = fullSort(values);

  it('returns exactly the first k of a full sort of a million scores with ties and NaNs', () => {
    for (const k of [1, 16, 80, 500, 5000]) expect(topK(values, k)).toEqual(sorted.slice(0, k));
  });

  it('reaches the NaNs in order once the numbers run out, and returns all when k exceeds the pool', () => {
    const small = Float64Array.from([Number.NaN, 2, Number.NEGATIVE_INFINITY, Number.NaN, 2, 5]);
    expect(topK(small, 10)).toEqual([5, 1, 4, 2, 0, 3]);
    expect(topK(small, 0)).toEqual([]);
    expect(topK(new Float64Array(0), 3)).toEqual([]);
  });

  it('skips what `include` refuses, as the sort of the rest would', () => {
    const rng = mulberry32(3);
    const excluded = new Set(Array.from({ length: 50_000 }, () => randomInt(rng, n)));
    for (const i of sorted.slice(0, 300)) if (i % 3 === 0) excluded.add(i); // some of the very best
    const include = (i: number) => !excluded.has(i);
    const reference = fullSort(values, include);
    for (const k of [1, 100, 1000]) expect(topK(values, k, include)).toEqual(reference.slice(0, k));
  });
});

describe('acquisition over a million candidates', () => {
  const n = 1_000_000;
  const rng = mulberry32(11);
  // predictions on a float32-like grid, so UCB values tie
  const mean = Float64Array.from({ length: n }, () => Math.round(rng() * 400) / 100);
  const std = Float64Array.from({ length: n }, () => Math.round(rng() * 100) / 100);
  mean[17] = Number.NaN;
  const exclude = new Set(Array.from({ length: 1000 }, () => randomInt(rng, n)));

  it('ucb picks the same batch as a full sort of its values', () => {
    const batch = acquire({
      strategy: 'ucb',
      predictions: { mean, std },
      exclude,
      batchSize: 64,
      objective: { direction: 'minimize' },
      params: { kappa: 2 },
      seed: 1,
    });
    const ucb = Float64Array.from({ length: n }, (_, i) => {
      const v = score({ direction: 'minimize' }, mean[i] as number) + 2 * (std[i] as number);
      return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
    });
    expect(batch).toEqual(fullSort(ucb, (i) => !exclude.has(i)).slice(0, 64));
  });

  it('epsilon-greedy picks what it picked when it sorted the whole pool', () => {
    const batchSize = 40;
    const epsilon = 0.3;
    const batch = strategies['epsilon-greedy'].choose({
      strategy: 'epsilon-greedy',
      predictions: { mean, std },
      poolSize: n,
      exclude,
      batchSize,
      objective: { direction: 'maximize' },
      params: { epsilon },
      seed: 5,
    });
    expect(batch).toEqual(sortingEpsilonGreedy(mean, exclude, batchSize, epsilon, 5));
  });
});

/** Epsilon-greedy as it was written before partial selection: the whole open pool sorted, a Map of positions. */
function sortingEpsilonGreedy(
  mean: Float64Array,
  exclude: ReadonlySet<number>,
  batchSize: number,
  epsilon: number,
  seed: number,
): number[] {
  const open: number[] = [];
  for (let i = 0; i < mean.length; i++) if (!exclude.has(i)) open.push(i);
  const value = (i: number) => (Number.isNaN(mean[i]) ? Number.NEGATIVE_INFINITY : (mean[i] as number));
  const order = [...open].sort((a, b) => value(b) - value(a) || a - b);
  const position = new Map(open.map((i, p) => [i, p]));
  let left = open.length;
  const take = (i: number) => {
    const p = position.get(i) as number;
    const last = open[left - 1] as number;
    open[p] = last;
    position.set(last, p);
    open[left - 1] = i;
    position.set(i, left - 1);
    left--;
  };
  const rng = mulberry32(seed);
  const batch: number[] = [];
  let next = 0;
  while (batch.length < batchSize && left > 0) {
    let pick: number;
    if (rng() < epsilon) pick = open[randomInt(rng, left)] as number;
    else {
      while ((position.get(order[next] as number) as number) >= left) next++;
      pick = order[next] as number;
    }
    take(pick);
    batch.push(pick);
  }
  return batch;
}
