/**
 * Every acquisition formula against values worked out by hand (the arithmetic is in the comments; Phi and phi
 * read from a normal table to 10 digits), in both directions, with sigma = 0, and the seeded strategies'
 * determinism and frequencies.
 */
import { describe, expect, it } from 'vitest';
import { expectedImprovement, normalPdf, probabilityAbove } from '../../lib/acquisition/gaussian.js';
import {
  type AcquisitionContext,
  acquire,
  type RankingStrategy,
  type Scoring,
  strategies,
} from '../../lib/acquisition/index.js';
import type { Direction } from '../../lib/domain/objective.js';

/** One candidate's value under a ranking strategy. */
function valueUnder(
  strategy: RankingStrategy,
  s: Partial<Scoring> & { mean: number[]; std: number[] },
  direction: Direction = 'maximize',
  i = 0,
): number {
  return strategy.score({ objective: { direction }, params: {}, seed: 0, ...s })(i);
}

const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 9);

describe('the Gaussian helpers', () => {
  it('phi(0.4) = exp(-0.08)/sqrt(2 pi) = 0.3682701403', () => close(normalPdf(0.4), 0.3682701403));

  it('probabilityAbove and expectedImprovement handle sigma = 0 and a broken sigma', () => {
    expect(probabilityAbove(0.1, 0)).toBe(1);
    expect(probabilityAbove(0, 0)).toBe(0); // not strictly above
    expect(probabilityAbove(-0.1, 0)).toBe(0);
    expect(expectedImprovement(0.3, 0)).toBe(0.3);
    expect(expectedImprovement(-0.3, 0)).toBe(0);
    expect(expectedImprovement(0.3, Number.NaN)).toBeNaN();
    expect(probabilityAbove(0.3, -1)).toBeNaN();
  });
});

describe('ei: expected improvement over the best observed value', () => {
  const { ei } = strategies;

  it('maximising: mu=1.2, sigma=0.5, best=1.0, xi=0 -> 0.3152194185', () => {
    // z = (1.2 - 1.0 - 0)/0.5 = 0.4; Phi(0.4) = 0.6554217416, phi(0.4) = 0.3682701403
    // EI = 0.2*0.6554217416 + 0.5*0.3682701403 = 0.1310843483 + 0.1841350702 = 0.3152194185
    close(valueUnder(ei, { mean: [1.2], std: [0.5], bestSoFar: 1.0 }), 0.3152194185);
  });

  it('xi raises the bar: xi=0.1 -> 0.2534473179', () => {
    // z = (1.2 - 1.0 - 0.1)/0.5 = 0.2; Phi(0.2) = 0.5792597094, phi(0.2) = 0.3910426940
    // EI = 0.1*0.5792597094 + 0.5*0.3910426940 = 0.0579259709 + 0.1955213470 = 0.2534473179
    close(valueUnder(ei, { mean: [1.2], std: [0.5], bestSoFar: 1.0, params: { xi: 0.1 } }), 0.2534473179);
  });

  it('minimising flips the sign: mu=0.8 beats best=1.0 as 1.2 did when maximising', () => {
    // score(mu) = -0.8, score(best) = -1.0: gain 0.2, the same z = 0.4 -> 0.3152194185
    close(valueUnder(ei, { mean: [0.8], std: [0.5], bestSoFar: 1.0 }, 'minimize'), 0.3152194185);
    // mu=1.2 is worse when minimising: gain -0.2, z = -0.4; Phi(-0.4) = 0.3445782584
    // EI = -0.2*0.3445782584 + 0.5*0.3682701403 = -0.0689156517 + 0.1841350702 = 0.1152194185
    close(valueUnder(ei, { mean: [1.2], std: [0.5], bestSoFar: 1.0 }, 'minimize'), 0.1152194185);
    // and xi lowers the bar when minimising: mu=0.8, xi=0.1 -> gain 0.1, z = 0.2 -> 0.2534473179
    close(
      valueUnder(ei, { mean: [0.8], std: [0.5], bestSoFar: 1.0, params: { xi: 0.1 } }, 'minimize'),
      0.2534473179,
    );
  });

  it('far below the best: gain=-1, sigma=0.5 -> 0.0042453513', () => {
    // z = -2; Phi(-2) = 0.0227501319, phi(2) = 0.0539909665
    // EI = -1*0.0227501319 + 0.5*0.0539909665 = -0.0227501319 + 0.0269954833 = 0.0042453513
    close(valueUnder(ei, { mean: [0.0], std: [0.5], bestSoFar: 1.0 }), 0.0042453513);
  });

  it('sigma = 0: the improvement itself, or 0', () => {
    close(valueUnder(ei, { mean: [1.2], std: [0], bestSoFar: 1.0 }), 0.2);
    expect(valueUnder(ei, { mean: [0.9], std: [0], bestSoFar: 1.0 })).toBe(0);
    close(valueUnder(ei, { mean: [0.9], std: [0], bestSoFar: 1.0 }, 'minimize'), 0.1);
    // sigma = 0 and xi: max(1.2 - 1.0 - 0.3, 0) = 0
    expect(valueUnder(ei, { mean: [1.2], std: [0], bestSoFar: 1.0, params: { xi: 0.3 } })).toBe(0);
  });

  it('ranks a sure small gain below an uncertain one, as acquire runs it', () => {
    // 0: mu 1.2 sigma 0 -> 0.2; 1: mu 1.2 sigma 0.5 -> 0.3152; 2: mu 0 sigma 0.5 -> 0.0042
    const ctx: AcquisitionContext = {
      strategy: 'ei',
      predictions: { mean: [1.2, 1.2, 0], std: [0, 0.5, 0.5] },
      exclude: new Set(),
      batchSize: 3,
      objective: { direction: 'maximize' },
      bestSoFar: 1.0,
      seed: 0,
    };
    expect(acquire(ctx)).toEqual([1, 0, 2]);
    expect(() => acquire({ ...ctx, bestSoFar: undefined })).toThrow(/"ei" needs bestSoFar/);
  });
});

describe('pi: probability of improvement', () => {
  const { pi } = strategies;

  it('Phi((mu - best - xi)/sigma), both directions', () => {
    // (1.2 - 1.0)/0.5 = 0.4 -> Phi(0.4) = 0.6554217416
    close(valueUnder(pi, { mean: [1.2], std: [0.5], bestSoFar: 1.0 }), 0.6554217416);
    // xi = 0.1: (1.2 - 1.0 - 0.1)/0.5 = 0.2 -> Phi(0.2) = 0.5792597094
    close(valueUnder(pi, { mean: [1.2], std: [0.5], bestSoFar: 1.0, params: { xi: 0.1 } }), 0.5792597094);
    // minimising: (-1.2 + 1.0)/0.5 = -0.4 -> Phi(-0.4) = 0.3445782584
    close(valueUnder(pi, { mean: [1.2], std: [0.5], bestSoFar: 1.0 }, 'minimize'), 0.3445782584);
    // minimising, mu = 0.5: (-0.5 + 1.0)/0.5 = 1 -> Phi(1) = 0.8413447461
    close(valueUnder(pi, { mean: [0.5], std: [0.5], bestSoFar: 1.0 }, 'minimize'), 0.8413447461);
  });

  it('sigma = 0: 1 for a strict improvement beyond xi, else 0', () => {
    expect(valueUnder(pi, { mean: [1.2], std: [0], bestSoFar: 1.0 })).toBe(1);
    expect(valueUnder(pi, { mean: [1.0], std: [0], bestSoFar: 1.0 })).toBe(0);
    expect(valueUnder(pi, { mean: [1.2], std: [0], bestSoFar: 1.0, params: { xi: 0.5 } })).toBe(0);
    expect(valueUnder(pi, { mean: [0.8], std: [0], bestSoFar: 1.0 }, 'minimize')).toBe(1);
  });
});

describe('nei: expected improvement over the best predicted mean among the learned candidates', () => {
  const { nei, ei } = strategies;
  //            idx:  0    1    2    3
  const mean = [1.0, 1.5, 1.2, 0.7];
  const std = [0.1, 0.1, 0.5, 0.5];

  it('takes the plug-in incumbent, not the observed best', () => {
    // learned: 0 and 1, predicted 1.0 and 1.5 -> incumbent 1.5 (the observed best may say 1.0)
    // candidate 2: gain 1.2 - 1.5 = -0.3, z = -0.6; Phi(-0.6) = 0.2742531178, phi(0.6) = 0.3332246029
    // EI = -0.3*0.2742531178 + 0.5*0.3332246029 = -0.0822759353 + 0.1666123014 = 0.0843363661
    close(
      valueUnder(nei, { mean, std, observed: new Set([0, 1]), bestSoFar: 1.0 }, 'maximize', 2),
      0.0843363661,
    );
    // ei against the observed 1.0 would say 0.3152194185 (gain 0.2): the noisy best lowers the bar
    close(valueUnder(ei, { mean, std, bestSoFar: 1.0 }, 'maximize', 2), 0.3152194185);
  });

  it('minimising: the incumbent is the lowest learned mean', () => {
    // learned 0 and 1: min(1.0, 1.5) = 1.0; candidate 3: gain 1.0 - 0.7 = 0.3, z = 0.6; Phi(0.6) = 0.7257468822
    // EI = 0.3*0.7257468822 + 0.5*0.3332246029 = 0.2177240647 + 0.1666123014 = 0.3843363661
    close(valueUnder(nei, { mean, std, observed: new Set([0, 1]) }, 'minimize', 3), 0.3843363661);
  });

  it('sigma = 0, and needs learned candidates', () => {
    close(valueUnder(nei, { mean, std: [0, 0, 0, 0], observed: new Set([0]) }, 'maximize', 1), 0.5);
    expect(() =>
      acquire({
        strategy: 'nei',
        predictions: { mean, std },
        exclude: new Set(),
        batchSize: 1,
        objective: { direction: 'maximize' },
        observed: new Set(),
        seed: 0,
      }),
    ).toThrow(/"nei" needs observed/);
  });
});

describe('threshold: probability of passing a bar', () => {
  const { threshold } = strategies;

  it('Phi((mu - t)/sigma) in score space, both directions', () => {
    // maximising: (2.0 - 2.5)/0.5 = -1 -> Phi(-1) = 0.1586552539
    close(valueUnder(threshold, { mean: [2.0], std: [0.5], params: { threshold: 2.5 } }), 0.1586552539);
    // minimising: (-2.0 + 2.5)/0.5 = 1 -> Phi(1) = 0.8413447461
    close(
      valueUnder(threshold, { mean: [2.0], std: [0.5], params: { threshold: 2.5 } }, 'minimize'),
      0.8413447461,
    );
  });

  it('sigma = 0: 1 when the mean reaches the bar (equality passes), else 0', () => {
    expect(valueUnder(threshold, { mean: [2.5], std: [0], params: { threshold: 2.5 } })).toBe(1);
    expect(valueUnder(threshold, { mean: [2.4], std: [0], params: { threshold: 2.5 } })).toBe(0);
    expect(valueUnder(threshold, { mean: [2.4], std: [0], params: { threshold: 2.5 } }, 'minimize')).toBe(1);
    expect(valueUnder(threshold, { mean: [2.5], std: [0], params: { threshold: 2.5 } }, 'minimize')).toBe(1);
  });

  it('acquire refuses it without params.threshold', () => {
    expect(() =>
      acquire({
        strategy: 'threshold',
        predictions: { mean: [1], std: [1] },
        exclude: new Set(),
        batchSize: 1,
        objective: { direction: 'maximize' },
        params: { kappa: 2 },
        seed: 0,
      }),
    ).toThrow(/"threshold" needs params\.threshold/);
  });
});

/** A context for the choosing strategies. */
const choosing = (
  strategy: string,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  more: Partial<AcquisitionContext> = {},
): AcquisitionContext => ({
  strategy,
  predictions: { mean, std },
  exclude: new Set(),
  batchSize: 3,
  objective: { direction: 'maximize' },
  seed: 1,
  ...more,
});

/** How often each candidate is the single pick over `runs` seeds. */
function pickFrequencies(ctx: AcquisitionContext, runs: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let seed = 0; seed < runs; seed++) {
    const [pick] = acquire({ ...ctx, batchSize: 1, seed });
    counts.set(pick as number, (counts.get(pick as number) ?? 0) + 1);
  }
  return new Map([...counts].map(([i, n]) => [i, n / runs]));
}

describe('thompson', () => {
  it('with std 0 every draw is the mean: the greedy order, both directions', () => {
    const mean = [0.5, 2.0, 1.0, -1.0];
    const zero = [0, 0, 0, 0];
    expect(acquire(choosing('thompson', mean, zero, { batchSize: 4 }))).toEqual([1, 2, 0, 3]);
    expect(
      acquire(choosing('thompson', mean, zero, { batchSize: 4, objective: { direction: 'minimize' } })),
    ).toEqual([3, 0, 2, 1]);
  });

  it('draws from N(mean, std): a candidate one std below a certain one wins 1 - Phi(1) = 15.9% of slots', () => {
    // 0: certain at 1.0; 1: N(0, 1) beats it when its draw exceeds 1: P = 1 - 0.8413 = 0.1587
    // 2: N(-10, 1) would need a 7-sigma draw (pruned: never drawn)
    const f = pickFrequencies(choosing('thompson', [1, 0, -10], [0, 1, 1]), 4000);
    // binomial sd over 4000 runs: sqrt(0.1587*0.8413/4000) = 0.0058; allow 4 sd
    expect(f.get(1) ?? 0).toBeGreaterThan(0.1587 - 0.024);
    expect(f.get(1) ?? 0).toBeLessThan(0.1587 + 0.024);
    expect(f.get(2) ?? 0).toBe(0);
    // minimising: 0 certain at 1.0, 1 ~ N(2, 1) wins below 1: Phi(-1) = 0.1587 again
    const g = pickFrequencies(
      choosing('thompson', [1, 2], [0, 1], { objective: { direction: 'minimize' } }),
      4000,
    );
    expect(g.get(1) ?? 0).toBeGreaterThan(0.1587 - 0.024);
    expect(g.get(1) ?? 0).toBeLessThan(0.1587 + 0.024);
  });

  it('is repeatable for a seed, differs between seeds, and never takes an excluded candidate', () => {
    const n = 200;
    const mean = Array.from({ length: n }, () => 0);
    const std = Array.from({ length: n }, () => 1);
    const ctx = choosing('thompson', mean, std, { batchSize: 10, exclude: new Set([0, 1, 2]) });
    const a = acquire({ ...ctx, seed: 5 });
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(a.some((i) => i < 3)).toBe(false);
    expect(acquire({ ...ctx, seed: 5 })).toEqual(a);
    expect(acquire({ ...ctx, seed: 6 })).not.toEqual(a);
  });

  it('with samples: each slot follows one member, the best unchosen under it', () => {
    //                       idx: 0  1  2  3
    const memberA = Float64Array.from([4, 3, 2, 1]); // prefers 0, 1, 2, 3
    const memberB = Float64Array.from([1, 2, 3, 4]); // prefers 3, 2, 1, 0
    const ctx = choosing('thompson', [0, 0, 0, 0], [1, 1, 1, 1], { batchSize: 2 });
    const flat = { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] };
    // one member: its own top two, whatever the seed
    for (const seed of [0, 1, 2]) {
      expect(acquire({ ...ctx, seed, predictions: { ...flat, samples: [memberA] } })).toEqual([0, 1]);
    }
    // two members: each slot is A's or B's best unchosen, so a batch is one of these four
    const seen = new Set<string>();
    for (let seed = 0; seed < 64; seed++) {
      const batch = acquire({
        ...ctx,
        seed,
        predictions: { ...flat, samples: [memberA, memberB] },
      });
      seen.add(batch.join(','));
      expect(acquire({ ...ctx, seed, predictions: { ...flat, samples: [memberA, memberB] } })).toEqual(batch);
    }
    expect([...seen].sort()).toEqual(['0,1', '0,3', '3,0', '3,2']);
  });

  it('rejects samples that do not cover the pool', () => {
    const ctx = choosing('thompson', [0, 0], [1, 1]);
    expect(() => acquire({ ...ctx, predictions: { mean: [0, 0], std: [1, 1], samples: [[1]] } })).toThrow(
      /sample 0 has 1 entries/,
    );
  });
});

describe('epsilon-greedy', () => {
  const mean = [0.5, 2.0, 1.0, -1.0, 3.0];
  const std = [0, 0, 0, 0, 0];

  it('epsilon 0 is greedy, both directions', () => {
    expect(acquire(choosing('epsilon-greedy', mean, std, { batchSize: 5, params: { epsilon: 0 } }))).toEqual([
      4, 1, 2, 0, 3,
    ]);
    expect(
      acquire(
        choosing('epsilon-greedy', mean, std, {
          batchSize: 5,
          params: { epsilon: 0 },
          objective: { direction: 'minimize' },
        }),
      ),
    ).toEqual([3, 0, 2, 1, 4]);
  });

  it('explores a slot with probability epsilon: the greedy pick comes first 1 - eps*(n-1)/n of the time', () => {
    // n = 5, epsilon 0.5: a random slot misses the best 4 times in 5: P(not 4) = 0.5*0.8 = 0.4
    const f = pickFrequencies(choosing('epsilon-greedy', mean, std, { params: { epsilon: 0.5 } }), 4000);
    // sd = sqrt(0.4*0.6/4000) = 0.0077; allow 4 sd
    expect(1 - (f.get(4) ?? 0)).toBeGreaterThan(0.4 - 0.031);
    expect(1 - (f.get(4) ?? 0)).toBeLessThan(0.4 + 0.031);
    // without epsilon the default (0.1) applies: P(not 4) = 0.1*0.8 = 0.08, sd 0.0043
    const d = pickFrequencies(choosing('epsilon-greedy', mean, std), 4000);
    expect(1 - (d.get(4) ?? 0)).toBeGreaterThan(0.08 - 0.018);
    expect(1 - (d.get(4) ?? 0)).toBeLessThan(0.08 + 0.018);
  });

  it('is repeatable for a seed, never repeats or takes an excluded candidate, and stops when the pool runs out', () => {
    const n = 300;
    const big = Array.from({ length: n }, (_, i) => i);
    const ctx = choosing('epsilon-greedy', big, new Array(n).fill(0), {
      batchSize: 40,
      params: { epsilon: 0.5 },
      exclude: new Set([299, 298]),
    });
    const a = acquire({ ...ctx, seed: 9 });
    expect(a).toHaveLength(40);
    expect(new Set(a).size).toBe(40);
    expect(a).not.toContain(299);
    expect(a).not.toContain(298);
    expect(acquire({ ...ctx, seed: 9 })).toEqual(a);
    expect(acquire({ ...ctx, seed: 10 })).not.toEqual(a);
    // a batch larger than what is left: everything left, once
    const all = acquire({ ...ctx, batchSize: 1000, seed: 3 });
    expect(new Set(all).size).toBe(298);
  });
});

describe('cost-aware ranking', () => {
  const ctx: AcquisitionContext = {
    strategy: 'ei',
    // EI: 0.3152 (idx 0), 0.3152 (idx 1), 0.0042 (idx 2), as worked out above
    predictions: { mean: [1.2, 1.2, 0], std: [0.5, 0.5, 0.5] },
    exclude: new Set(),
    batchSize: 3,
    objective: { direction: 'maximize' },
    bestSoFar: 1.0,
    seed: 0,
  };

  it('ranks by value per unit cost', () => {
    // per cost: 0.3152/4 = 0.0788, 0.3152/1 = 0.3152, 0.0042/0.01 = 0.4245
    expect(acquire({ ...ctx, costAware: true, cost: [4, 1, 0.01] })).toEqual([2, 1, 0]);
    // the costs alone change nothing when costAware is off
    expect(acquire({ ...ctx, cost: [4, 1, 0.01] })).toEqual([0, 1, 2]);
  });

  it('refuses a strategy whose values can be negative, a missing cost, and a cost that is not positive', () => {
    expect(() =>
      acquire({ ...ctx, strategy: 'ucb', params: { kappa: 1 }, costAware: true, cost: [1, 1, 1] }),
    ).toThrow(/"ucb" has none \(use uncertainty, pi, ei, nei, threshold\)/);
    expect(() => acquire({ ...ctx, costAware: true })).toThrow(/needs the predicted cost/);
    expect(() => acquire({ ...ctx, costAware: true, cost: [1, 0, 1] })).toThrow(
      /#1 has a predicted cost of 0/,
    );
  });
});
