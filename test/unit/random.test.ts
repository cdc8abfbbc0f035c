import { describe, expect, it } from 'vitest';
import { childSeed, mulberry32, sample, sampleIndices, shuffle } from '../../lib/random.js';

const draws = (seed: number, k: number) => Array.from({ length: k }, mulberry32(seed));

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    expect(draws(7, 20)).toEqual(draws(7, 20));
    expect(draws(7, 20)).not.toEqual(draws(8, 20));
  });

  it('draws in [0, 1), roughly uniformly', () => {
    const xs = draws(123, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const lowQuarter = xs.filter((x) => x < 0.25).length / xs.length;
    expect(lowQuarter).toBeGreaterThan(0.23);
    expect(lowQuarter).toBeLessThan(0.27);
  });
});

describe('childSeed', () => {
  it('gives distinct, repeatable 32-bit seeds per stream', () => {
    const seeds = Array.from({ length: 100 }, (_, s) => childSeed(42, s));
    expect(new Set(seeds).size).toBe(100);
    expect(seeds).toEqual(Array.from({ length: 100 }, (_, s) => childSeed(42, s)));
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(childSeed(1, 0)).not.toBe(childSeed(2, 0));
  });
});

describe('shuffle and sample', () => {
  it('shuffles in place into a permutation, repeatably', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = shuffle([...a], mulberry32(3));
    expect(b).not.toEqual(a);
    expect([...b].sort((x, y) => x - y)).toEqual(a);
    expect(shuffle([...a], mulberry32(3))).toEqual(b);
  });

  it('samples distinct items without replacement', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const s = sample(items, 4, mulberry32(9));
    expect(s).toHaveLength(4);
    expect(new Set(s).size).toBe(4);
    for (const x of s) expect(items).toContain(x);
    expect(sample(items, 10, mulberry32(9)).sort()).toEqual(items);
    expect(sample(items, 0, mulberry32(9))).toEqual([]);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('sampleIndices', () => {
  it('picks k distinct indices in range, never an excluded one, repeatably by seed', () => {
    const exclude = new Set([0, 2, 4, 6, 8]);
    const picked = sampleIndices(20, 6, 11, exclude);
    expect(picked).toHaveLength(6);
    expect(new Set(picked).size).toBe(6);
    for (const i of picked) {
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(20);
      expect(exclude.has(i)).toBe(false);
    }
    expect(sampleIndices(20, 6, 11, exclude)).toEqual(picked);
    expect(sampleIndices(20, 6, 12, exclude)).not.toEqual(picked);
  });

  it('returns every available index when k exceeds them', () => {
    expect(sampleIndices(5, 10, 1, new Set([1, 3])).sort()).toEqual([0, 2, 4]);
    expect(sampleIndices(0, 3, 1)).toEqual([]);
  });
});
