import { describe, expect, it } from 'vitest';
import { type AcquireArgs, acquire } from '../../lib/acquisition.js';

//             idx:  0    1    2    3    4
const mean = [1.0, 3.0, 2.0, 0.0, 2.5];
const std = [0.1, 0.1, 0.5, 2.0, 0.0];
const base: AcquireArgs = {
  mean,
  std,
  exclude: new Set(),
  strategy: 'ucb',
  batchSize: 5,
  kappa: 1,
  direction: 'maximize',
  seed: 0,
};

describe('acquire', () => {
  it('ucb, maximising: highest mean + kappa*std first', () => {
    // scores 1.1, 3.1, 2.5, 2.0, 2.5 (ties go to the lower index)
    expect(acquire(base)).toEqual([1, 2, 4, 3, 0]);
  });

  it('ucb, minimising: lowest mean - kappa*std first', () => {
    // bounds 0.9, 2.9, 1.5, -2.0, 2.5
    expect(acquire({ ...base, direction: 'minimize' })).toEqual([3, 0, 2, 4, 1]);
  });

  it('ucb with kappa 0 is greedy; a large kappa explores', () => {
    expect(acquire({ ...base, kappa: 0 })).toEqual(acquire({ ...base, strategy: 'greedy' }));
    expect(acquire({ ...base, kappa: 10, batchSize: 1 })).toEqual([3]);
  });

  it('greedy ranks by mean alone, in the objective direction', () => {
    expect(acquire({ ...base, strategy: 'greedy' })).toEqual([1, 4, 2, 0, 3]);
    expect(acquire({ ...base, strategy: 'greedy', direction: 'minimize' })).toEqual([3, 0, 2, 4, 1]);
  });

  it('uncertainty ranks by std whatever the direction', () => {
    expect(acquire({ ...base, strategy: 'uncertainty' })).toEqual([3, 2, 0, 1, 4]);
    expect(acquire({ ...base, strategy: 'uncertainty', direction: 'minimize' })).toEqual([3, 2, 0, 1, 4]);
  });

  it('never returns an excluded index, and at most batchSize', () => {
    for (const strategy of ['ucb', 'greedy', 'uncertainty', 'random'] as const) {
      const picked = acquire({ ...base, strategy, exclude: new Set([1, 3]), batchSize: 2 });
      expect(picked).toHaveLength(2);
      expect(picked).not.toContain(1);
      expect(picked).not.toContain(3);
    }
    expect(acquire({ ...base, exclude: new Set([1, 3]) })).toEqual([2, 4, 0]);
    expect(acquire({ ...base, batchSize: 0 })).toEqual([]);
    expect(acquire({ ...base, exclude: new Set([0, 1, 2, 3, 4]) })).toEqual([]);
  });

  it('random is repeatable for a seed and differs between seeds', () => {
    const many = {
      ...base,
      mean: new Float64Array(1000),
      std: new Float64Array(1000),
      strategy: 'random' as const,
    };
    const a = acquire({ ...many, batchSize: 10, seed: 5 });
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(acquire({ ...many, batchSize: 10, seed: 5 })).toEqual(a);
    expect(acquire({ ...many, batchSize: 10, seed: 6 })).not.toEqual(a);
  });

  it('is deterministic for the ranked strategies (ties by index), whatever the seed', () => {
    const flat = { ...base, mean: [1, 1, 1, 1], std: [0, 0, 0, 0] };
    expect(acquire({ ...flat, seed: 1 })).toEqual([0, 1, 2, 3]);
    expect(acquire({ ...flat, seed: 2 })).toEqual([0, 1, 2, 3]);
  });

  it('puts candidates with a non-finite score last', () => {
    expect(acquire({ ...base, mean: [1, Number.NaN, 2], std: [0, 0, 0] })).toEqual([2, 0, 1]);
  });

  it('rejects mean and std of different lengths', () => {
    expect(() => acquire({ ...base, std: [1, 2] })).toThrow(/std has 2/);
  });
});
