/**
 * The brute-force counterfactual against figures computed by hand: medians per tier, unknown tiers, hits by
 * target and by top-k, brute force's hits estimated from Gaussians, and a minimised objective.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActivityCost,
  type CounterfactualInput,
  counterfactual,
  medianOf,
  probabilityOfReaching,
} from '../../lib/campaign/counterfactual.js';
import { erfc, normalCdf } from '../../lib/domain/normal.js';

const max = { direction: 'maximize' as const };
const min = { direction: 'minimize' as const };

const cost = (energyJoules: number, cpuSeconds: number) => ({ energyJoules, cpuSeconds });

// the ledger of a two-tier campaign: 920 J and 92 CPU-s in all, 580 J and 58 CPU-s of them calculations
const ledger: ActivityCost[] = [
  { activity: 'qm:xtb', ...cost(60, 6) },
  { activity: 'qm:nwchem', ...cost(500, 50) },
  { activity: 'geometry', ...cost(20, 2) },
  { activity: 'ml:train+screen', ...cost(200, 20) },
  { activity: 'pool:prepare', ...cost(40, 4) },
  { activity: 'platform:worker', ...cost(100, 10) },
];

function input(over: Partial<CounterfactualInput> = {}): CounterfactualInput {
  return {
    poolSize: 100,
    tiers: [
      // medians: 20 J and 2 s (odd count); 250 J and 25 s (even count: the middle two averaged)
      { tier: 'xtb', calls: 40, costs: [cost(10, 1), cost(30, 3), cost(20, 2)], withGeometry: true },
      { tier: 'nwchem', calls: 5, costs: [cost(100, 10), cost(400, 40)], withGeometry: false },
    ],
    actual: ledger,
    objective: max,
    hitsTopK: 3,
    topValues: [1, 3, 2, 5, 4],
    ...over,
  };
}

describe('medianOf', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([40, 10])).toBe(25);
    expect(medianOf([7, 1, 100, 2])).toBe(4.5); // one slow outlier does not move it far
    expect(() => medianOf([])).toThrow();
  });
});

describe('brute force and savings', () => {
  it('prices the pool at each tier’s median and compares the whole ledger with it', () => {
    const c = counterfactual(input());
    expect(c.tiers).toEqual([
      {
        tier: 'xtb',
        calls: 40,
        measured: 3,
        withGeometry: true,
        median: cost(20, 2),
        bruteForce: cost(2000, 200),
      },
      {
        tier: 'nwchem',
        calls: 5,
        measured: 2,
        withGeometry: false,
        median: cost(250, 25),
        bruteForce: cost(25_000, 2500),
      },
    ]);
    expect(c.bruteForce).toEqual({ firstTier: cost(2000, 200), allTiers: cost(27_000, 2700) });
    expect(c.actual).toEqual({ ...cost(920, 92), qm: cost(580, 58) });
    expect(c.saved.vsFirstTier).toEqual({ ...cost(1080, 108), ratio: 0.46 });
    expect(c.saved.vsAllTiers?.energyJoules).toBe(26_080);
    expect(c.saved.vsAllTiers?.ratio).toBeCloseTo(920 / 27_000, 15);
    expect(c.topTierCallsAvoided).toBe(95);
    expect(c.geometryLeftOut).toBe(false);
  });

  it('says when the ledger’s geometry is left out of the per-candidate costs (its lines name no candidate)', () => {
    const tiers = input().tiers.map((t) => ({ ...t, withGeometry: false }));
    expect(counterfactual(input({ tiers })).geometryLeftOut).toBe(true);
    const noGeometry = ledger.filter((a) => a.activity !== 'geometry');
    expect(counterfactual(input({ tiers, actual: noGeometry })).geometryLeftOut).toBe(false);
  });

  it('leaves a tier with nothing measured unknown, and the sum through all tiers with it', () => {
    const c = counterfactual(
      input({
        tiers: [
          { tier: 'xtb', calls: 3, costs: [cost(10, 1), cost(30, 3), cost(20, 2)], withGeometry: false },
          // evaluated, but only cache hits: nothing was measured
          { tier: 'nwchem', calls: 2, costs: [], withGeometry: false },
        ],
      }),
    );
    expect(c.tiers[1]).toEqual({ tier: 'nwchem', calls: 2, measured: 0, withGeometry: false });
    expect(c.bruteForce).toEqual({ firstTier: cost(2000, 200) });
    expect(c.saved.vsAllTiers).toBeUndefined();
    expect(c.saved.vsFirstTier?.ratio).toBe(0.46);
    expect(c.topTierCallsAvoided).toBe(98);
    // top-k hits are known, their rate for brute force is not (no energy through all tiers)
    expect(c.hits).toMatchObject({ found: 3, bruteForce: 3 });
    expect(c.hits.bruteForcePerKWh).toBeUndefined();
  });

  it('knows nothing of brute force before the first calculation', () => {
    const c = counterfactual(
      input({
        tiers: [{ tier: 'xtb', calls: 0, costs: [], withGeometry: false }],
        actual: [{ activity: 'pool:prepare', ...cost(40, 4) }],
        topValues: [],
      }),
    );
    expect(c.bruteForce).toEqual({});
    expect(c.saved).toEqual({});
    expect(c.actual).toEqual({ ...cost(40, 4), qm: cost(0, 0) });
    expect(c.topTierCallsAvoided).toBe(100);
    // 0 hits for the energy spent so far
    expect(c.hits).toEqual({
      tier: 'xtb',
      definition: 'top-k',
      k: 3,
      found: 0,
      perKWh: 0,
      unknown: 'no xtb result yet',
    });
  });
});

describe('hits: the campaign’s k best', () => {
  it('counts the top-tier results that reach the k-th best, and gives brute force k', () => {
    const c = counterfactual(input());
    expect(c.hits).toMatchObject({
      tier: 'nwchem',
      definition: 'top-k',
      k: 3,
      threshold: 3,
      found: 3,
      bruteForce: 3,
      bruteForceBasis: 'top-k',
    });
    // 3 hits for 920 J = 3 / (920 / 3.6e6 kWh); brute force: 3 for 27,000 J
    expect(c.hits.perKWh).toBeCloseTo(11_739.130434782608, 9);
    expect(c.hits.bruteForcePerKWh).toBeCloseTo(400, 12);
  });

  it('takes the best values when minimising', () => {
    const c = counterfactual(input({ objective: min, hitsTopK: 2, topValues: [-1, -4, -3, -2] }));
    expect(c.hits).toMatchObject({ threshold: -3, found: 2, bruteForce: 2 });
  });

  it('with fewer results than k, counts those, and brute force still finds k', () => {
    const c = counterfactual(input({ hitsTopK: 10, topValues: [2, 1] }));
    expect(c.hits).toMatchObject({ threshold: 1, found: 2, bruteForce: 10 });
  });

  it('counts ties with the k-th best, for brute force too (it computes whatever the campaign did)', () => {
    const c = counterfactual(input({ hitsTopK: 2, topValues: [5, 4, 4, 1] }));
    expect(c.hits).toMatchObject({ threshold: 4, found: 3, bruteForce: 3 });
  });
});

describe('hits: a target', () => {
  // 8 candidates, 4 with a top-tier result: the 4 others are the surrogate's
  const targetInput = (over: Partial<CounterfactualInput>) =>
    input({
      poolSize: 8,
      tiers: [
        { tier: 'xtb', calls: 8, costs: [cost(10, 1)], withGeometry: false },
        { tier: 'nwchem', calls: 4, costs: [cost(100, 10)], withGeometry: false },
      ],
      ...over,
    });

  it('estimates brute force’s hits as those found plus P(reaching) over the rest (maximise)', () => {
    const c = counterfactual(
      targetInput({
        target: 3.5,
        topValues: [1, 3, 5, 4], // 5 and 4 reach 3.5
        surrogate: {
          predictions: [
            { mean: 3.5, std: 1 }, // 0.5
            { mean: 2.5, std: 1 }, // Phi(-1) = 0.15865525393145705
            { mean: 4.5, std: 0.5 }, // Phi(2) = 0.9772498680518208
            { mean: 3.6, std: 0 }, // certain
          ],
        },
      }),
    );
    expect(c.hits).toMatchObject({
      tier: 'nwchem',
      definition: 'target',
      threshold: 3.5,
      found: 2,
      bruteForceBasis: 'surrogate',
    });
    expect(c.hits.k).toBeUndefined();
    expect(c.hits.bruteForce).toBeCloseTo(4.635905121983278, 13);
    // brute force through all tiers: 8 x 10 J + 8 x 100 J = 880 J
    expect(c.hits.bruteForcePerKWh).toBeCloseTo((4.635905121983278 * 3.6e6) / 880, 6);
    expect(c.hits.perKWh).toBeCloseTo((2 * 3.6e6) / 920, 9);
  });

  it('reads the direction from the objective when minimising', () => {
    const c = counterfactual(
      targetInput({
        objective: min,
        target: -3,
        topValues: [-1, -4, -3, -2], // -4 and -3 reach -3
        surrogate: {
          predictions: [
            { mean: -2, std: 1 }, // P(y <= -3) = Phi(-1)
            { mean: -5, std: 1 }, // P(y <= -3) = Phi(2)
            { mean: -2.9, std: 0 }, // worse than the target, certainly
            { mean: Number.NaN, std: 1 }, // no prediction to speak of: no hit
          ],
        },
      }),
    );
    expect(c.hits.found).toBe(2);
    // the other direction would give 2 + Phi(1) + Phi(-2) + 1 = 4.86...
    expect(c.hits.bruteForce).toBeCloseTo(3.135905121983278, 13);
  });

  it('is exact when every candidate has a top-tier result', () => {
    const all = counterfactual(
      targetInput({
        target: 3.5,
        topValues: [1, 3, 5, 4, 4, 2, 9, 0],
        tiers: [
          { tier: 'xtb', calls: 8, costs: [cost(10, 1)], withGeometry: false },
          { tier: 'nwchem', calls: 8, costs: [cost(100, 10)], withGeometry: false },
        ],
      }),
    );
    expect(all.hits).toMatchObject({ found: 4, bruteForce: 4, bruteForceBasis: 'exact' });
    expect(all.topTierCallsAvoided).toBe(0);
  });

  it('says why brute force’s hits are unknown instead of guessing', () => {
    const none = counterfactual(
      targetInput({
        target: 3.5,
        topValues: [5],
        surrogate: { unavailable: 'the latest surrogate learned xtb, not nwchem' },
      }),
    );
    expect(none.hits).toMatchObject({ found: 1, unknown: 'the latest surrogate learned xtb, not nwchem' });
    expect(none.hits.bruteForce).toBeUndefined();
    expect(none.hits.bruteForcePerKWh).toBeUndefined();
    expect(none.hits.perKWh).toBeCloseTo(3.6e6 / 920, 9);

    const short = counterfactual(
      targetInput({ target: 3.5, topValues: [5], surrogate: { predictions: [{ mean: 9, std: 1 }] } }),
    );
    expect(short.hits.bruteForce).toBeUndefined();
    expect(short.hits.unknown).toBe('the surrogate predicted 1 of the 4 candidates without a nwchem result');
  });
});

describe('probabilityOfReaching', () => {
  it('is the normal tail beyond the bound on the better side', () => {
    expect(probabilityOfReaching(max, { mean: 0, std: 2 }, 2)).toBeCloseTo(0.15865525393145705, 15);
    expect(probabilityOfReaching(min, { mean: 0, std: 2 }, 2)).toBeCloseTo(0.8413447460685429, 15);
    expect(probabilityOfReaching(max, { mean: 1, std: 0 }, 1)).toBe(1); // reaching includes equal
    expect(probabilityOfReaching(min, { mean: 1.1, std: 0 }, 1)).toBe(0);
  });
});

describe('the normal distribution', () => {
  // references from mpmath at 30 digits
  it('erfc is precise to ~1e-15 relative, in the far tail too', () => {
    const refs: [number, number][] = [
      [0, 1],
      [0.3, 0.6713732405408726],
      [1, 0.15729920705028513],
      [1.5, 0.033894853524689274],
      [3, 0.00002209049699858544],
      [6, 2.1519736712498913e-17],
      [-2, 1.9953222650189526],
    ];
    for (const [x, ref] of refs) expect(Math.abs(erfc(x) - ref) / ref, `erfc(${x})`).toBeLessThan(5e-15);
    expect(erfc(30)).toBe(0);
    expect(erfc(-30)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
  });

  // far out, the rounding of z/sqrt(2) is amplified by exp(-z^2/2): the relative error grows like z^2 x 1e-16
  it('normalCdf keeps small lower-tail probabilities', () => {
    const refs: [number, number][] = [
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [2, 0.9772498680518208],
      [-2, 0.02275013194817921],
      [-10, 7.619853024160525e-24],
      [-30, 4.906713927148187e-198],
    ];
    for (const [z, ref] of refs)
      expect(Math.abs(normalCdf(z) - ref) / ref, `Phi(${z})`).toBeLessThan(Math.max(5e-15, z * z * 2e-16));
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
  });
});
