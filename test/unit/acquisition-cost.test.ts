/** The cost model: a per-tier power law in heavy atoms fitted by least squares, its fallbacks, and reach. */
import { describe, expect, it } from 'vitest';
import {
  type CostObservation,
  expectedCost,
  fitCostModel,
  MIN_FIT_POINTS,
  reachOf,
  tierCost,
} from '../../lib/acquisition/cost-model.js';

const obs = (tier: string, pairs: [number, number][]): CostObservation[] =>
  pairs.map(([heavyAtoms, cost]) => ({ tier, heavyAtoms, cost }));

describe('fitCostModel', () => {
  it('recovers an exact power law: cost = 0.5 N^3', () => {
    // log cost = log 0.5 + 3 log N at N = 2, 4, 8, 16, 32
    const model = fitCostModel(
      obs(
        'dft',
        [2, 4, 8, 16, 32].map((n) => [n, 0.5 * n ** 3]),
      ),
    );
    const t = model.get('dft');
    expect(t?.points).toBe(5);
    expect(t?.fit?.slope).toBeCloseTo(3, 12);
    expect(t?.fit?.intercept).toBeCloseTo(Math.log(0.5), 12);
    // 10 heavy atoms: 0.5 * 1000 = 500
    expect(tierCost(model, 'dft', 10)).toBeCloseTo(500, 9);
  });

  it('fits by least squares: three sizes, a hand-computed line', () => {
    // x = log N for N = 1, e, e^2 (0, 1, 2), y = log cost = 1, 2, 4 (each size measured twice: 6 points)
    // mean x = 1, mean y = 7/3; sxx = 2*(1 + 0 + 1) = 4; sxy = 2*((-1)(1 - 7/3) + 0 + (1)(4 - 7/3)) = 2*3 = 6
    // slope = 6/4 = 1.5; intercept = 7/3 - 1.5 = 0.8333...
    const pairs: [number, number][] = [0, 1, 2].map((x) => [Math.exp(x), Math.exp([1, 2, 4][x] as number)]);
    const model = fitCostModel(obs('xtb', [...pairs, ...pairs]));
    expect(model.get('xtb')?.fit?.slope).toBeCloseTo(1.5, 12);
    expect(model.get('xtb')?.fit?.intercept).toBeCloseTo(7 / 3 - 1.5, 12);
  });

  it(`falls back to the median below ${MIN_FIT_POINTS} points, or when every candidate has the same size`, () => {
    const few = fitCostModel(
      obs('dft', [
        [3, 10],
        [9, 40],
        [5, 20],
        [7, 100],
      ]),
    );
    expect(few.get('dft')?.fit).toBeUndefined();
    // median of 10, 20, 40, 100 = (20 + 40)/2 = 30, whatever the size
    expect(tierCost(few, 'dft', 3)).toBe(30);
    expect(tierCost(few, 'dft', 30)).toBe(30);
    const sameSize = fitCostModel(
      obs('dft', [
        [6, 1],
        [6, 2],
        [6, 3],
        [6, 4],
        [6, 50],
      ]),
    );
    expect(sameSize.get('dft')?.fit).toBeUndefined();
    expect(tierCost(sameSize, 'dft', 12)).toBe(3);
  });

  it('leaves out cache hits (cost 0) and broken costs, and flattens a slope below 0', () => {
    const model = fitCostModel([
      ...obs('dft', [
        [4, 0],
        [8, 0],
        [5, Number.NaN],
      ]),
      ...obs('dft', [
        [2, 8],
        [4, 4],
        [8, 2],
        [16, 1],
        [32, 0.5],
      ]),
    ]);
    expect(model.get('dft')?.points).toBe(5);
    // the fitted slope is -1: larger cheaper is noise; the flat line sits at the geometric mean, 2
    expect(model.get('dft')?.fit?.slope).toBe(0);
    expect(tierCost(model, 'dft', 100)).toBeCloseTo(2, 12);
    expect(tierCost(model, 'unknown', 5)).toBeUndefined();
  });
});

describe('reach and expected cost', () => {
  it('counts the share of evaluated candidates at each tier', () => {
    const reach = reachOf([
      { idx: 0, tier: 'xtb' },
      { idx: 1, tier: 'xtb' },
      { idx: 2, tier: 'xtb' },
      { idx: 3, tier: 'xtb' },
      { idx: 0, tier: 'dft' },
      { idx: 0, tier: 'dft' }, // the same candidate twice counts once
    ]);
    expect(reach).toEqual(
      new Map([
        ['xtb', 1],
        ['dft', 0.25],
      ]),
    );
  });

  it('sums the tiers weighted by reach: 1 x xtb + 0.25 x dft', () => {
    const model = fitCostModel([
      ...obs('xtb', [
        [2, 1],
        [4, 2],
        [8, 4],
        [16, 8],
        [32, 16],
      ]), // 0.5 N
      ...obs('dft', [
        [5, 100],
        [7, 300],
      ]), // median 200
    ]);
    const reach = new Map([
      ['xtb', 1],
      ['dft', 0.25],
      ['cached-only', 0.5], // reached through cache hits alone: no model, adds nothing
    ]);
    // N = 10: 1 * 5 + 0.25 * 200 = 55
    expect(expectedCost(model, reach, 10)).toBeCloseTo(55, 9);
    expect(expectedCost(new Map(), reach, 10)).toBeUndefined();
  });
});
