import { describe, expect, it } from 'vitest';
import {
  type AcquisitionContext,
  acquire as acquireWith,
  type RankingStrategy,
  type Scoring,
  strategies,
  strategyNames,
} from '../../lib/acquisition/index.js';
import { Acquisition } from '../../lib/campaign/schema.js';
import type { Direction } from '../../lib/domain/objective.js';
import { sampleIndices } from '../../lib/random.js';

/** The arguments these tests vary, spelled flat. */
interface AcquireArgs {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  exclude: ReadonlySet<number>;
  strategy: string;
  batchSize: number;
  kappa: number;
  direction: Direction;
  seed: number;
}

const context = (a: AcquireArgs): AcquisitionContext => ({
  strategy: a.strategy,
  predictions: { mean: a.mean, std: a.std },
  exclude: a.exclude,
  batchSize: a.batchSize,
  objective: { direction: a.direction },
  params: { kappa: a.kappa },
  seed: a.seed,
});
const acquire = (a: AcquireArgs) => acquireWith(context(a));

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

describe('the strategy registry', () => {
  it("gives the schema its strategy names, in the schema's order", () => {
    expect(strategyNames.slice(0, 4)).toEqual(['ucb', 'greedy', 'uncertainty', 'random']);
    expect(Acquisition.shape.strategy.unwrap().options).toEqual(strategyNames);
    for (const name of strategyNames) expect(strategies[name].description.length).toBeGreaterThan(0);
  });

  it('rejects a strategy it does not know, naming the known ones', () => {
    expect(() => acquire({ ...base, strategy: 'tompson' })).toThrow(
      `unknown acquisition strategy "tompson" (known: ${strategyNames.join(', ')})`,
    );
  });

  it('before the first model (no predictions), draws the same seeded random batch whatever the strategy', () => {
    const exclude = new Set([2, 5, 7]);
    const expected = sampleIndices(50, 6, 11, exclude);
    for (const strategy of strategyNames) {
      expect(
        acquireWith({
          strategy,
          poolSize: 50,
          exclude,
          batchSize: 6,
          objective: { direction: 'maximize' },
          seed: 11,
        }),
      ).toEqual(expected);
    }
    expect(() =>
      acquireWith({ strategy: 'ucb', exclude, batchSize: 6, objective: { direction: 'maximize' }, seed: 11 }),
    ).toThrow(/poolSize/);
  });

  it('random with predictions samples the pool they cover, as before', () => {
    const many = { ...base, mean: new Float64Array(300), std: new Float64Array(300), strategy: 'random' };
    expect(acquire({ ...many, batchSize: 7, seed: 3, exclude: new Set([1]) })).toEqual(
      sampleIndices(300, 7, 3, new Set([1])),
    );
  });

  // an expected-improvement-like strategy: how far the optimistic bound lies beyond the best so far
  const beyondBest: RankingStrategy = {
    description: 'test: optimistic gain over the best so far',
    needs: ['mean', 'std', 'bestSoFar'],
    score: (s: Scoring) => {
      seen.push(s.bestSoFar);
      return (i) => (s.mean[i] as number) + (s.std[i] as number) - (s.bestSoFar as number);
    },
  };
  const seen: (number | undefined)[] = [];
  const registry = { ...strategies, beyondBest };

  it('hands a strategy that declares bestSoFar the value the caller gave', () => {
    seen.length = 0;
    const picked = acquireWith(
      { ...context({ ...base, strategy: 'beyondBest' }), bestSoFar: 2.75 },
      registry,
    );
    expect(seen).toEqual([2.75]);
    expect(picked).toEqual([1, 2, 4, 3, 0]);
  });

  it('refuses to run a strategy without what it declares, naming what is missing', () => {
    seen.length = 0;
    expect(() => acquireWith(context({ ...base, strategy: 'beyondBest' }), registry)).toThrow(
      /strategy "beyondBest" needs bestSoFar/,
    );
    expect(seen).toEqual([]);
  });
});
