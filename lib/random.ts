/**
 * Small seeded randomness for reproducible campaigns: the same seed gives the same draws on every
 * platform. The generator is mulberry32 (a 32-bit state PRNG described by Tommy Ettinger), written
 * by hand here from its published description; it is fast and fine for sampling, not for crypto.
 */

/** Returns uniform floats in [0, 1). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for an independent stream (e.g. ensemble member `stream`) derived from a campaign seed. */
export function childSeed(seed: number, stream: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ (stream >>> 0), 0xc2b2ae35);
  h ^= Math.imul(stream + 0x27d4eb2f, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates shuffle, in place; returns the same array. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** `k` distinct items drawn without replacement, in draw order (all of them, shuffled, when k >= length). */
export function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const copy = items.slice();
  const take = Math.max(0, Math.min(k, copy.length));
  for (let i = 0; i < take; i++) {
    const j = i + randomInt(rng, copy.length - i);
    const tmp = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = tmp;
  }
  return copy.slice(0, take);
}

/** `k` distinct indices from [0, n) that are not in `exclude`, drawn with a seeded generator. */
export function sampleIndices(n: number, k: number, seed: number, exclude?: ReadonlySet<number>): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (!exclude?.has(i)) candidates.push(i);
  return sample(candidates, k, mulberry32(seed));
}
