import { describe, expect, it } from 'vitest';
import { type EhviInput, ehviBatch, expectedHypervolumeImprovement } from '../../lib/acquisition/ehvi.js';
import { expectedImprovement, normalPdf } from '../../lib/acquisition/gaussian.js';
import { parego, simplexWeights } from '../../lib/acquisition/parego.js';
import { normalCdf } from '../../lib/domain/normal.js';
import type { Direction } from '../../lib/domain/objective.js';
import { hypervolumeImprovement } from '../../lib/domain/pareto.js';

// score-space front A=(1,3) B=(2,2) C=(3,1), reference (0,0); its hypervolume is 6 (pareto.test.ts)
const front = [
  [1, 3],
  [2, 2],
  [3, 1],
];
// objective 1 maximised, objective 2 minimised: a raw value v of objective 2 scores -v
const objectives: { direction: Direction }[] = [{ direction: 'maximize' }, { direction: 'minimize' }];

function input(mean: number[][], std: number[][], extra: Partial<EhviInput> = {}): EhviInput {
  return { predictions: { mean, std }, objectives, front, reference: [0, 0], seed: 11, ...extra };
}

describe('expectedHypervolumeImprovement', () => {
  it('equals the exact HVI when std = 0', () => {
    // candidate 0: raw (2.5, -2.5) scores (2.5, 2.5): HVI 1.25 (by hand in pareto.test.ts)
    // candidate 1: raw (1, -1) scores (1, 1): dominated, 0; candidate 2: (4, -0.5) scores (4, 0.5):
    // box 4 x 0.5 = 2, of which [0,3]x[0,0.5] = 1.5 is covered: 0.5
    const values = expectedHypervolumeImprovement(
      input(
        [
          [2.5, 1, 4],
          [-2.5, -1, -0.5],
        ],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
      ),
    );
    expect([...values].map((v) => Number(v.toFixed(12)))).toEqual([1.25, 0, 0.5]);
  });

  it('is positive behind the front when the std is large, and 0 there when it is not', () => {
    const mean = [[0.5], [-0.5]]; // scores (0.5, 0.5): well inside the dominated region
    expect(expectedHypervolumeImprovement(input(mean, [[0], [0]]))[0]).toBe(0);
    expect(expectedHypervolumeImprovement(input(mean, [[2], [2]]))[0]).toBeGreaterThan(0.1);
  });

  it('is seeded: same seed, same numbers; another seed, other numbers', () => {
    const mean = [
      [0.5, 2, 3],
      [-0.5, -2, -2],
    ];
    const std = [
      [1, 0.5, 0.2],
      [1, 0.5, 0.3],
    ];
    const a = expectedHypervolumeImprovement(input(mean, std));
    expect(expectedHypervolumeImprovement(input(mean, std))).toEqual(a);
    expect(expectedHypervolumeImprovement(input(mean, std, { seed: 12 }))).not.toEqual(a);
    expect(expectedHypervolumeImprovement(input(mean, std, { samples: 64 }))).not.toEqual(a);
  });

  it('matches the closed form against an empty front (a product of two EIs)', () => {
    // with no front and reference 0, HVI of a draw is max(Y1,0) x max(Y2,0), and Y1, Y2 are independent:
    // EHVI = EI(mu1, s1) x EI(mu2, s2) with the bar at 0
    const mu = [0.4, 1.2];
    const sd = [0.8, 0.5];
    const n = 20_000;
    const estimate = expectedHypervolumeImprovement(
      input([[mu[0] as number], [-(mu[1] as number)]], [[sd[0] as number], [sd[1] as number]], {
        front: [],
        samples: n,
      }),
    )[0] as number;
    const ei = (m: number, s: number) => expectedImprovement(m, s);
    const exact = ei(0.4, 0.8) * ei(1.2, 0.5);
    // E[max(Y,0)^2] = (m^2 + s^2) Phi(m/s) + m s phi(m/s): the product's second moment bounds its variance
    const second = (m: number, s: number) => (m * m + s * s) * normalCdf(m / s) + m * s * normalPdf(m / s);
    const standardError = Math.sqrt((second(0.4, 0.8) * second(1.2, 0.5)) / n);
    expect(Math.abs(estimate - exact)).toBeLessThan(4 * standardError);
    expect(standardError).toBeLessThan(0.05 * exact); // tight enough to mean something
  });

  it('ignores dominated points and points below the reference in the front', () => {
    const mean = [
      [0.5, 2.5],
      [-0.5, -2.5],
    ];
    const std = [
      [1, 0.3],
      [1, 0.3],
    ];
    const clean = expectedHypervolumeImprovement(input(mean, std));
    const cluttered = expectedHypervolumeImprovement(
      input(mean, std, { front: [...front, [1, 1], [5, -1]] }),
    );
    expect(cluttered).toEqual(clean);
  });

  it('gives NaN for a broken prediction and refuses a bad sample count', () => {
    const values = expectedHypervolumeImprovement(input([[Number.NaN], [0]], [[1], [1]]));
    expect(values[0]).toBeNaN();
    expect(expectedHypervolumeImprovement(input([[2], [-2]], [[-1], [1]]))[0]).toBeNaN();
    expect(() => expectedHypervolumeImprovement(input([[2], [-2]], [[1], [1]], { samples: 0 }))).toThrow(
      /positive integer/,
    );
  });

  it('agrees with hypervolumeImprovement for three objectives at std = 0', () => {
    const three: { direction: Direction }[] = [
      { direction: 'maximize' },
      { direction: 'maximize' },
      { direction: 'minimize' },
    ];
    const front3 = [
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
    ];
    const values = expectedHypervolumeImprovement({
      predictions: { mean: [[1.5], [1.5], [-1.5]], std: [[0], [0], [0]] },
      objectives: three,
      front: front3,
      reference: [0, 0, 0],
      seed: 1,
    });
    // the union is 4 (pareto.test.ts); adding (1.5,1.5,1.5) covers 1.5^3 = 3.375 of which the front already
    // holds the unit cube plus three 0.5 x 1 x 1 slabs = 2.5: it adds 0.875
    expect(values[0]).toBeCloseTo(0.875, 12);
    expect(values[0]).toBeCloseTo(hypervolumeImprovement(front3, [1.5, 1.5, 1.5], [0, 0, 0]), 12);
  });
});

describe('ehviBatch', () => {
  // candidates 0 and 1 are the same point, (2.5, 2.5) in scores (HVI 1.25); candidate 2 scores (4, 0.5) (HVI 0.5)
  const mean = [
    [2.5, 2.5, 4],
    [-2.5, -2.5, -0.5],
  ];
  const std = [
    [0, 0, 0],
    [0, 0, 0],
  ];

  it('believes each pick: its copy is worth nothing once it is in the front', () => {
    expect(ehviBatch(input(mean, std), 2)).toEqual([0, 2]);
  });

  it('skips excluded candidates and stops when the pool runs out', () => {
    expect(ehviBatch(input(mean, std), 2, new Set([0]))).toEqual([1, 2]);
    expect(ehviBatch(input(mean, std), 5)).toHaveLength(3);
  });

  it('is seeded', () => {
    const noisy = [
      [0.5, 0.6, 0.7, 2],
      [1, 1, 1, 0.1],
    ];
    const m = [
      [1, 2, 2.2, 0.5],
      [-1, -1.5, -2.5, -0.5],
    ];
    expect(ehviBatch(input(m, noisy, { samples: 32 }), 3)).toEqual(
      ehviBatch(input(m, noisy, { samples: 32 }), 3),
    );
  });
});

describe('parego', () => {
  it('draws weights on the simplex, uniformly, repeatably', () => {
    const sums: number[] = [0, 0, 0];
    for (let seed = 0; seed < 3000; seed++) {
      const w = simplexWeights(3, seed);
      expect(w.every((x) => x >= 0)).toBe(true);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      w.forEach((x, k) => {
        sums[k] = (sums[k] as number) + x;
      });
    }
    // uniform on the simplex: each weight has mean 1/3 (std 0.236, so the mean of 3000 has std 0.0043)
    for (const s of sums) expect(Math.abs(s / 3000 - 1 / 3)).toBeLessThan(0.02);
    expect(simplexWeights(3, 5)).toEqual(simplexWeights(3, 5));
    expect(simplexWeights(3, 5)).not.toEqual(simplexWeights(3, 6));
  });

  it('scores the best corner 0 and the worst corner -(max w + rho)', () => {
    // candidates: best on both (2, -2 -> scores 2, 2), worst on both (0, 0 -> 0, 0), a middle one
    const { weights, scores } = parego({
      predictions: {
        mean: [
          [2, 0, 1],
          [-2, 0, -1],
        ],
        std: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      },
      objectives,
      seed: 3,
    });
    expect(scores[0]).toBeCloseTo(0, 12);
    // shortfalls (1, 1): -(max(w1, w2) + 0.05 (w1 + w2)) = -(max w + 0.05)
    expect(scores[1]).toBeCloseTo(-(Math.max(...weights) + 0.05), 12);
    // middle: shortfalls (0.5, 0.5): half of that
    expect(scores[2]).toBeCloseTo(-(Math.max(...weights) + 0.05) / 2, 12);
  });

  it('follows the minimised direction through score', () => {
    // same first objective; the second is minimised, so the lower raw value must score higher
    const { scores } = parego({
      predictions: {
        mean: [
          [1, 1, 0, 2],
          [-3, 3, 0, 0],
        ],
        std: [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
      },
      objectives,
      seed: 4,
    });
    expect(scores[0] as number).toBeGreaterThan(scores[1] as number);
  });

  it('adds kappa times the scalarised std only when asked', () => {
    const predictions = {
      mean: [
        [1, 1, 0, 2],
        [-1, -1, 0, -2],
      ],
      std: [
        [0, 1, 0, 0],
        [0, 1, 0, 0],
      ],
    };
    const plain = parego({ predictions, objectives, seed: 8 }).scores;
    expect(plain[0]).toBe(plain[1]); // std ignored without kappa
    const { weights, scores } = parego({ predictions, objectives, seed: 8, kappa: 2 });
    expect(scores[0]).toBe(plain[0]);
    // both objectives range 0..2 in scores. At (1,1) the shortfalls are (0.5, 0.5); the max term's objective
    // is the one of larger weight: gradient w_k (0.05 + [k active]); std 1 / range 2 = 0.5 each
    const active = (weights[0] as number) >= (weights[1] as number) ? 0 : 1;
    const g = weights.map((w, k) => w * (0.05 + (k === active ? 1 : 0)));
    const sigma = Math.sqrt(g.reduce((a, x) => a + (x * 0.5) ** 2, 0));
    expect((scores[1] as number) - (plain[1] as number)).toBeCloseTo(2 * sigma, 12);
  });
});

describe('parego with broken predictions', () => {
  it('gives NaN where a predicted mean is NaN, and scores the others', () => {
    const { scores } = parego({
      predictions: {
        mean: [
          [Number.NaN, 1, 2],
          [0, -1, -2],
        ],
        std: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      },
      objectives,
      seed: 2,
    });
    expect(scores[0]).toBeNaN();
    expect(scores[2]).toBeCloseTo(0, 12);
  });
});
