/**
 * Batch diversity: Tanimoto on packed bits against counts done by hand, and on a pool of clusters of
 * near-identical fingerprints, a diverse batch holds fewer near-duplicates than the plain top-k.
 */
import { describe, expect, it } from 'vitest';
import { diverseBatch, shortlistSize } from '../../lib/acquisition/diversity.js';
import { type AcquisitionContext, acquire, shortlist } from '../../lib/acquisition/index.js';
import { bitCount, packBits, popcount32, tanimoto, tanimotoCounted } from '../../lib/acquisition/tanimoto.js';
import { mulberry32, randomInt } from '../../lib/random.js';

describe('Tanimoto on packed bits', () => {
  it('packs bit i into word i/32, bit i%32', () => {
    const bits = new Float32Array(40);
    bits[0] = 1;
    bits[31] = 1;
    bits[33] = 1;
    expect([...packBits(bits)]).toEqual([(1 | (1 << 31)) >>> 0, 2]);
  });

  it('counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff | 0)).toBe(32);
    expect(popcount32(0b1011)).toBe(3);
    expect(popcount32(0x80000001 | 0)).toBe(2);
  });

  it('|a AND b| / |a OR b|', () => {
    // a = {0, 1, 2, 3, 40}, b = {2, 3, 4, 40}: both {2, 3, 40} = 3, either {0, 1, 2, 3, 4, 40} = 6 -> 0.5
    const fp = (on: number[]) => {
      const v = new Float32Array(64);
      for (const i of on) v[i] = 1;
      return packBits(v);
    };
    expect(tanimoto(fp([0, 1, 2, 3, 40]), fp([2, 3, 4, 40]))).toBe(0.5);
    expect(tanimoto(fp([5]), fp([5]))).toBe(1);
    expect(tanimoto(fp([5]), fp([6]))).toBe(0);
    expect(tanimoto(fp([]), fp([]))).toBe(1);
    expect(() => tanimoto(fp([1]), new Uint32Array(1))).toThrow(/64 and 32 bits/);
  });
});

/**
 * `clusters` clusters of `size` members: each cluster a random 512-bit fingerprint with about 60 bits on, each
 * member that fingerprint with 2 bits flipped (Tanimoto to its siblings about 0.9). Scores: a member of cluster
 * c scores 10 - 0.3 c + U(0, 0.5): clusters overlap, but the plain top 8 all come from cluster 0.
 */
function clusteredPool(clusters: number, size: number, seed: number) {
  const rng = mulberry32(seed);
  const bits = 512;
  const fingerprints: Float32Array[] = [];
  const mean: number[] = [];
  for (let c = 0; c < clusters; c++) {
    const base = new Float32Array(bits);
    for (let k = 0; k < 60; k++) base[randomInt(rng, bits)] = 1;
    for (let m = 0; m < size; m++) {
      const fp = base.slice();
      for (let k = 0; k < 2; k++) {
        const b = randomInt(rng, bits);
        fp[b] = fp[b] ? 0 : 1;
      }
      fingerprints.push(fp);
      mean.push(10 - 0.3 * c + 0.5 * rng());
    }
  }
  return { fingerprints, mean };
}

/** Pairs in a batch with Tanimoto >= 0.8. */
function nearDuplicates(batch: readonly number[], fingerprints: readonly Float32Array[]): number {
  const packed = batch.map((i) => packBits(fingerprints[i] as Float32Array));
  let pairs = 0;
  for (let a = 0; a < packed.length; a++)
    for (let b = a + 1; b < packed.length; b++)
      if (tanimoto(packed[a] as Uint32Array, packed[b] as Uint32Array) >= 0.8) pairs++;
  return pairs;
}

describe('a diverse batch', () => {
  const { fingerprints, mean } = clusteredPool(10, 20, 3);
  const base: AcquisitionContext = {
    strategy: 'greedy',
    predictions: { mean, std: new Array(mean.length).fill(0) },
    exclude: new Set(),
    batchSize: 8,
    objective: { direction: 'maximize' },
    seed: 0,
    features: (i) => fingerprints[i] as Float32Array,
  };

  it('holds fewer near-duplicates than the plain top-k', () => {
    const plain = acquire(base);
    const diverse = acquire({ ...base, diversity: 0.5 });
    // the top 8 are all from cluster 0: 8*7/2 = 28 near-duplicate pairs
    expect(nearDuplicates(plain, fingerprints)).toBe(28);
    expect(nearDuplicates(diverse, fingerprints)).toBeLessThan(nearDuplicates(plain, fingerprints));
    // measured: 15 pairs, from 3 clusters; at 1, 7 pairs
    expect(new Set(diverse.map((i) => Math.floor(i / 20))).size).toBeGreaterThan(1);
    expect(nearDuplicates(acquire({ ...base, diversity: 1 }), fingerprints)).toBeLessThan(
      nearDuplicates(diverse, fingerprints),
    );
    // the best candidate always comes first
    expect(diverse[0]).toBe(plain[0]);
  });

  it('at diversity 1 takes one candidate from each cluster the shortlist reaches before any second one', () => {
    const cluster = (i: number) => Math.floor(i / 20);
    const ctx = { ...base, batchSize: 10, diversity: 1 };
    const reached = new Set(shortlist(ctx).map(cluster));
    expect(reached.size).toBeGreaterThan(1);
    const batch = acquire(ctx);
    expect(new Set(batch.slice(0, reached.size).map(cluster))).toEqual(reached);
  });

  it('diversity 0 is the plain ranking and needs no fingerprints', () => {
    const { features: _, ...noFeatures } = base;
    expect(acquire({ ...noFeatures, diversity: 0 })).toEqual(acquire(base));
    expect(shortlist({ ...noFeatures, diversity: 0 })).toEqual([]);
    expect(() => acquire({ ...noFeatures, diversity: 0.5 })).toThrow(/needs the candidates' fingerprints/);
  });

  it('asks only for the shortlisted fingerprints, and the shortlist is the top of the ranking', () => {
    const asked = new Set<number>();
    const ctx = {
      ...base,
      diversity: 0.7,
      features: (i: number) => {
        asked.add(i);
        return fingerprints[i] as Float32Array;
      },
    };
    const list = shortlist(ctx);
    expect(list).toHaveLength(shortlistSize(8));
    expect(list).toEqual(acquire({ ...base, batchSize: 40 }));
    acquire(ctx);
    expect([...asked].sort((a, b) => a - b)).toEqual([...list].sort((a, b) => a - b));
  });

  it('refuses diversity for a strategy that picks its own batch', () => {
    expect(() => acquire({ ...base, strategy: 'thompson', diversity: 0.5 })).toThrow(/picks its own batch/);
    expect(shortlist({ ...base, strategy: 'random', diversity: 0 })).toEqual([]);
  });

  it('trades score against distance by (1 - lambda) s + lambda d, worked by hand', () => {
    // three candidates, scores 3, 2, 1 -> scaled 1, 0.5, 0; fingerprints: 0 = {0,1}, 1 = {0,1} (a duplicate),
    // 2 = {2, 3} (disjoint). First pick: 0. Then d(1) = 0, d(2) = 1.
    const fps = [
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 1],
    ];
    const ranked = [
      { i: 0, v: 3 },
      { i: 1, v: 2 },
      { i: 2, v: 1 },
    ];
    const pick = (lambda: number) => diverseBatch(ranked, (i) => fps[i] as number[], 2, lambda);
    // lambda 0.3: 1 -> 0.7*0.5 + 0.3*0 = 0.35; 2 -> 0.7*0 + 0.3*1 = 0.30: the duplicate wins
    expect(pick(0.3)).toEqual([0, 1]);
    // lambda 0.4: 1 -> 0.6*0.5 = 0.30; 2 -> 0.4: the disjoint one wins
    expect(pick(0.4)).toEqual([0, 2]);
    expect(pick(0)).toEqual([0, 1]);
  });
});

describe('tanimotoCounted', () => {
  it('agrees with tanimoto on random fingerprints', () => {
    const rng = mulberry32(11);
    for (let t = 0; t < 50; t++) {
      const fp = () => packBits(Float32Array.from({ length: 96 }, () => (rng() < 0.2 ? 1 : 0)));
      const a = fp();
      const b = fp();
      expect(tanimotoCounted(a, b, bitCount(a), bitCount(b))).toBe(tanimoto(a, b));
    }
    const empty = new Uint32Array(3);
    expect(tanimotoCounted(empty, empty, 0, 0)).toBe(1);
  });
});
