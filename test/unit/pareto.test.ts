import { describe, expect, it } from 'vitest';
import {
  dominates,
  hypervolume,
  hypervolumeImprovement,
  type Point,
  paretoFront,
  referencePoint,
  toScores,
} from '../../lib/domain/pareto.js';
import { mulberry32 } from '../../lib/random.js';

/** An independent exact hypervolume: inclusion-exclusion over every non-empty subset (small sets only). */
function inclusionExclusion(points: readonly Point[], ref: Point): number {
  const inside = points.filter((p) => p.every((v, k) => v > (ref[k] as number)));
  let total = 0;
  for (let mask = 1; mask < 1 << inside.length; mask++) {
    const members = inside.filter((_, i) => mask & (1 << i));
    const box = ref.map((r, k) => Math.min(...members.map((p) => p[k] as number)) - r);
    total += (members.length % 2 === 1 ? 1 : -1) * box.reduce((a, b) => a * b, 1);
  }
  return total;
}

const randomPoints = (seed: number, n: number, m: number, grid?: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: m }, () => (grid ? Math.floor(rng() * grid) : rng())),
  );
};

describe('dominates', () => {
  it('needs at least as good everywhere and strictly better somewhere', () => {
    expect(dominates([2, 2], [1, 2])).toBe(true);
    expect(dominates([2, 2], [2, 2])).toBe(false); // a copy does not dominate
    expect(dominates([3, 1], [1, 3])).toBe(false);
    expect(dominates([1, 3], [3, 1])).toBe(false);
    expect(dominates([2, 2, 2], [2, 2, 1])).toBe(true);
    expect(dominates([Number.NaN, 5], [1, 1])).toBe(false);
  });
});

describe('paretoFront', () => {
  // A=(1,3) B=(2,2) C=(3,1) trade off; D=(1,1) is dominated by B; E=(2,2) repeats B
  const points = [
    [1, 3],
    [2, 2],
    [3, 1],
    [1, 1],
    [2, 2],
  ];

  it('keeps the trade-offs and copies of them, drops the dominated (2-D)', () => {
    expect(paretoFront(points)).toEqual([0, 1, 2, 4]);
  });

  it('drops a point that ties the best on one objective and loses on the other', () => {
    // (3,1) and (3,0): same first objective, (3,0) worse on the second; (0,3) vs (1,3) likewise
    expect(
      paretoFront([
        [3, 0],
        [3, 1],
        [0, 3],
        [1, 3],
      ]),
    ).toEqual([1, 3]);
  });

  it('works through score for minimised objectives', () => {
    // energy minimised, gap maximised: raw (energy, gap)
    const raw = [
      [-1, 3], // scores (1, 3)
      [-2, 2], // (2, 2)
      [-1, 1], // (1, 1): dominated by (2, 2)
      [-3, 1], // (3, 1)
    ];
    const scores = toScores([{ direction: 'minimize' }, { direction: 'maximize' }], raw);
    expect(scores[2]).toEqual([1, 1]);
    expect(paretoFront(scores)).toEqual([0, 1, 3]);
  });

  it('the 2-D sweep agrees with the pairwise definition, ties included', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const pts = randomPoints(seed, 40, 2, 6); // a coarse grid: many ties and copies
      const brute = pts.map((_, i) => i).filter((i) => !pts.some((q) => dominates(q, pts[i] as Point)));
      expect(paretoFront(pts)).toEqual(brute);
    }
  });

  it('finds the front in 3-D and leaves out NaN points', () => {
    const pts = [
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
      [1, 1, 1], // dominated by each of the above
      [Number.NaN, 9, 9],
    ];
    expect(paretoFront(pts)).toEqual([0, 1, 2]);
    expect(paretoFront([])).toEqual([]);
  });
});

describe('hypervolume', () => {
  it('2-D staircase by hand', () => {
    // sweep from the largest first objective, reference (0,0):
    // C=(3,1): 3 x (1-0) = 3; B=(2,2): 2 x (2-1) = 2; A=(1,3): 1 x (3-2) = 1; total 6.
    // D=(1,1) and the copy of B add nothing.
    const pts = [
      [1, 3],
      [2, 2],
      [3, 1],
      [1, 1],
      [2, 2],
    ];
    expect(hypervolume(pts, [0, 0])).toBeCloseTo(6, 12);
    // reference (1,0): the boxes shrink to widths 2, 1, 0: 2x1 + 1x1 + 0 = 3, and A (not > 1) adds nothing
    expect(hypervolume(pts, [1, 0])).toBeCloseTo(3, 12);
  });

  it('points not strictly better than the reference add nothing', () => {
    expect(hypervolume([[0, 5]], [0, 0])).toBe(0);
    expect(hypervolume([[-1, -1]], [0, 0])).toBe(0);
    expect(hypervolume([[2, 2, 0]], [0, 0, 0])).toBe(0);
    expect(hypervolume([], [0, 0])).toBe(0);
  });

  it('3-D by hand: three unit-overlapping boxes', () => {
    // (2,1,1), (1,2,1), (1,1,2) against 0: each box 2; every pair and the triple meet in the unit cube (1).
    // Inclusion-exclusion: 3 x 2 - 3 x 1 + 1 = 4. The dominated (1,1,1) changes nothing.
    const pts = [
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
      [1, 1, 1],
    ];
    expect(hypervolume(pts, [0, 0, 0])).toBeCloseTo(4, 12);
    // one box, shifted reference: (3-1) x (2-1) x (1-0) = 2; (0.5,5,5) is not above the reference in x
    expect(
      hypervolume(
        [
          [3, 2, 1],
          [0.5, 5, 5],
        ],
        [1, 1, 0],
      ),
    ).toBeCloseTo(2, 12);
  });

  it('agrees with inclusion-exclusion on random sets in 2 to 4 objectives', () => {
    for (const m of [2, 3, 4]) {
      for (let seed = 1; seed <= 10; seed++) {
        const pts = randomPoints(100 * m + seed, 9, m);
        const ref = Array.from({ length: m }, () => 0.1);
        expect(hypervolume(pts, ref)).toBeCloseTo(inclusionExclusion(pts, ref), 10);
      }
    }
  });

  it('3-D agrees with a brute-force Monte Carlo estimate', () => {
    const pts = randomPoints(7, 25, 3);
    const exact = hypervolume(pts, [0, 0, 0]);
    const rng = mulberry32(99);
    const n = 200_000;
    let hits = 0;
    for (let s = 0; s < n; s++) {
      const x = [rng(), rng(), rng()];
      if (pts.some((p) => p.every((v, k) => v >= (x[k] as number)))) hits++;
    }
    const p = hits / n; // the unit cube has volume 1: the hit fraction estimates the hypervolume
    const standardError = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(exact - p)).toBeLessThan(4 * standardError);
    expect(exact).toBeGreaterThan(0.3); // not a vacuous check: the front covers a good share of the cube
  });
});

describe('hypervolumeImprovement', () => {
  const front = [
    [1, 3],
    [2, 2],
    [3, 1],
  ];

  it('by hand: P=(2.5,2.5) adds 1.25', () => {
    // P's box is 2.5 x 2.5 = 6.25; the front already covers, inside it, [0,2.5]x[0,1] = 2.5,
    // [0,2]x[1,2] = 2 and [0,1]x[2,2.5] = 0.5, together 5: P adds 6.25 - 5 = 1.25
    expect(hypervolumeImprovement(front, [2.5, 2.5], [0, 0])).toBeCloseTo(1.25, 12);
  });

  it('is 0 for a dominated point, a copy, or a point outside the reference', () => {
    expect(hypervolumeImprovement(front, [1, 1], [0, 0])).toBe(0);
    expect(hypervolumeImprovement(front, [2, 2], [0, 0])).toBe(0);
    expect(hypervolumeImprovement(front, [10, -1], [0, 0])).toBe(0);
  });

  it('is the whole box against an empty front', () => {
    expect(hypervolumeImprovement([], [2, 3, 4], [1, 1, 1])).toBeCloseTo(1 * 2 * 3, 12);
  });
});

describe('referencePoint', () => {
  it('defaults to the worst score less 10% of the range', () => {
    // each objective ranges 1..3: 1 - 0.1 x 2 = 0.8
    const scores = [
      [1, 3],
      [2, 2],
      [3, 1],
    ];
    const objectives = [{ direction: 'maximize' as const }, { direction: 'maximize' as const }];
    expect(referencePoint(objectives, scores)).toEqual([0.8, 0.8].map((v) => expect.closeTo(v, 12)));
  });

  it('takes an objective’s own reference through score, and copes with a zero range', () => {
    const objectives = [{ direction: 'minimize' as const, reference: 5 }, { direction: 'maximize' as const }];
    // the minimised objective's reference 5 scores -5; the second has one value, 2: 2 - 0.1 x |2| = 1.8
    expect(referencePoint(objectives, [[-1, 2]])).toEqual([-5, expect.closeTo(1.8, 12)]);
    // a zero worst and zero range: margin 1, so the corner still lies below
    expect(referencePoint([{ direction: 'maximize' }], [[0]])).toEqual([-0.1]);
  });

  it('ignores failed (non-finite) scores', () => {
    expect(referencePoint([{ direction: 'maximize' }], [[1], [Number.NEGATIVE_INFINITY], [3]])).toEqual([
      expect.closeTo(0.8, 12),
    ]);
  });
});
