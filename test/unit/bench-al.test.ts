/**
 * The active-learning bench's figures (bench/al/metrics.ts, bench/al/score.ts, bench/al/plan.ts) against small
 * examples worked by hand, and one replayed campaign on a made-up two-tier pool: the budget per tier, promotion,
 * the top tier's hits and the energy ledger adding up to the campaign's own total.
 */
import { describe, expect, it } from 'vitest';
import { usageOf } from '../../activities/usage.js';
import {
  bruteForceJoules,
  discoveryArea,
  discoveryCurve,
  enrichmentFactor,
  hitsFound,
  hitsPerKWh,
  kWh,
  type MoleculeCost,
  median,
  trueTop,
} from '../../bench/al/metrics.js';
import { campaignConfig, planFor } from '../../bench/al/plan.js';
import type { LabelledPool } from '../../bench/al/pool.js';
import { replay } from '../../bench/al/replay.js';
import { figuresOf, mediansOf, truthOf } from '../../bench/al/score.js';
import type { ObjectiveSpec } from '../../lib/domain/objective.js';
import { JOULES_PER_KWH } from '../../lib/domain/units.js';
import { mulberry32 } from '../../lib/random.js';

const maximize: ObjectiveSpec = { property: 'homoLumoGap', direction: 'maximize' };
const minimize: ObjectiveSpec = { property: 'homoLumoGap', direction: 'minimize' };

describe('trueTop', () => {
  const scored = [
    { idx: 0, value: 3 },
    { idx: 1, value: 9 },
    { idx: 2, value: 1 },
    { idx: 3, value: 7 },
    { idx: 4, value: 5 },
  ];

  it('keeps the best fraction in the objective direction', () => {
    expect(trueTop(scored, maximize, 0.4)).toEqual(new Set([1, 3]));
    expect(trueTop(scored, minimize, 0.4)).toEqual(new Set([2, 0]));
  });

  it('rounds the count up and keeps at least one', () => {
    // 1% of 250 is 2.5: three molecules
    const many = Array.from({ length: 250 }, (_, i) => ({ idx: i, value: i }));
    expect(trueTop(many, maximize)).toEqual(new Set([249, 248, 247]));
    expect(trueTop(scored, maximize)).toEqual(new Set([1]));
    expect(trueTop([], maximize)).toEqual(new Set());
  });

  it('breaks ties at the cut by input order', () => {
    const tied = [
      { idx: 7, value: 2 },
      { idx: 8, value: 5 },
      { idx: 9, value: 5 },
    ];
    expect(trueTop(tied, maximize, 0.3)).toEqual(new Set([8]));
  });
});

describe('hits and enrichment', () => {
  it('counts each top molecule evaluated once', () => {
    expect(hitsFound(new Set([1, 2, 3]), [2, 3, 3, 9])).toBe(2);
    expect(hitsFound(new Set([1, 2, 3]), [])).toBe(0);
  });

  it('enrichment: fraction of the top found over fraction of the pool evaluated', () => {
    // 15 of the top 20 with 200 of 2000 evaluated: 0.75 / 0.1
    expect(enrichmentFactor({ found: 15, top: 20, evaluated: 200, poolSize: 2000 })).toBeCloseTo(7.5, 12);
    // what a random choice gets on average
    expect(enrichmentFactor({ found: 2, top: 20, evaluated: 200, poolSize: 2000 })).toBeCloseTo(1, 12);
    expect(enrichmentFactor({ found: 0, top: 3, evaluated: 0, poolSize: 300 })).toBeNaN();
  });

  it('the discovery curve counts each top molecule once, when it was first evaluated', () => {
    expect(discoveryCurve(new Set([1, 2, 3]), [9, 2, 2, 8, 3, 1])).toEqual([0, 1, 1, 1, 2, 3]);
    expect(discoveryCurve(new Set([1]), [])).toEqual([]);
  });

  it("the curve's area over a perfect campaign's: 1 when the top comes first, less when it comes late", () => {
    // top of 2 found at calls 1 and 2 of 4: as early as possible
    expect(discoveryArea([1, 2, 2, 2], 2)).toBe(1);
    // found at calls 3 and 4: (0 + 0 + 1 + 2) / (1 + 2 + 2 + 2)
    expect(discoveryArea([0, 0, 1, 2], 2)).toBeCloseTo(3 / 7, 12);
    // both found by the end either way; the early campaign scores higher
    expect(discoveryArea([1, 1, 2, 2], 2)).toBeGreaterThan(discoveryArea([0, 1, 1, 2], 2));
    expect(discoveryArea([], 2)).toBeNaN();
    expect(discoveryArea([0, 0], 0)).toBeNaN();
  });

  it('hits per kWh', () => {
    expect(kWh(7.2e6)).toBe(2);
    expect(hitsPerKWh(3, 2 * JOULES_PER_KWH)).toBeCloseTo(1.5, 12);
    expect(hitsPerKWh(0, JOULES_PER_KWH)).toBe(0);
  });
});

describe('bruteForceJoules', () => {
  const molecules: MoleculeCost[] = [
    { geometryJoules: 10, tierJoules: { xtb: 2, dft: 100 } },
    { geometryJoules: 5, tierJoules: { xtb: 1 } }, // xtb failed: no DFT
    { geometryJoules: 3, tierJoules: {} }, // the embedding failed: nothing ran
  ];

  it('every molecule at the given tiers, its geometry once', () => {
    expect(bruteForceJoules(molecules, ['xtb'])).toBe(18);
    expect(bruteForceJoules(molecules, ['xtb', 'dft'])).toBe(118);
    expect(bruteForceJoules(molecules, ['dft'])).toBe(110);
    expect(bruteForceJoules([], ['xtb'])).toBe(0);
  });
});

describe('median', () => {
  it('middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('planFor', () => {
  const o = { rounds: 10, budget: 0.1, topTierBudget: 0.15, promoteTop: 0.5 };

  it('one tier: 10% of the pool in equal batches', () => {
    expect(planFor(2000, ['xtb'], o)).toEqual({ batchSize: 20, rounds: 10, calls: { xtb: 200 } });
  });

  it('a ladder: the top tier capped, the tier below feeding it through promotion', () => {
    expect(planFor(300, ['xtb', 'nwchem'], o)).toEqual({
      batchSize: 9,
      rounds: 10,
      calls: { xtb: 90, nwchem: 45 },
    });
  });
});

/** A made-up two-tier pool: the DFT gap follows the xtb gap, which follows the first feature. */
function madeUpPool(n: number): { pool: LabelledPool; matrix: Float32Array; nFeatures: number } {
  const rng = mulberry32(11);
  const nFeatures = 2048 + 20; // the default features: Morgan bits, then descriptors
  const matrix = new Float32Array(n * nFeatures);
  const molecules = Array.from({ length: n }, (_, i) => {
    const x = rng();
    matrix[i * nFeatures] = x;
    for (let j = 1; j < 64; j++) matrix[i * nFeatures + j] = rng() < 0.2 ? 1 : 0;
    const xtb = 2 + 4 * x + 0.1 * rng();
    const failed = i % 17 === 5;
    return {
      id: `m${i}`,
      smiles: `C${i}`,
      heavyAtoms: 4 + (i % 5),
      geometry: usageOf({ cpuSeconds: 1, wallSeconds: 1 }),
      labels: {
        xtb: failed
          ? { status: 'failed' as const, values: {}, usage: usageOf({ cpuSeconds: 0.5, wallSeconds: 0.5 }) }
          : {
              status: 'ok' as const,
              values: { homoLumoGap: xtb },
              usage: usageOf({ cpuSeconds: 0.1, wallSeconds: 0.1 }),
            },
        ...(failed
          ? {}
          : {
              nwchem: {
                status: 'ok' as const,
                values: { homoLumoGap: 1.2 * xtb + 0.2 * rng() },
                usage: usageOf({ cpuSeconds: 30, wallSeconds: 31 }),
              },
            }),
      },
    };
  });
  return {
    pool: { file: 'made-up.jsonl', molecules, tiers: ['xtb', 'nwchem'], rows: n, incomplete: 0 },
    matrix,
    nFeatures,
  };
}

describe('a campaign replayed on a labelled pool', () => {
  it('keeps to the budget per tier, promotes from xtb to DFT and charges every calculation', async () => {
    const { pool, matrix, nFeatures } = madeUpPool(120);
    const plan = planFor(pool.molecules.length, pool.tiers, {
      rounds: 4,
      budget: 0.1,
      topTierBudget: 0.15,
      promoteTop: 0.5,
    });
    expect(plan.calls).toEqual({ xtb: 36, nwchem: 18 });
    const config = campaignConfig({
      file: pool.file,
      tiers: pool.tiers,
      property: 'homoLumoGap',
      plan,
      promoteTop: 0.5,
      surrogate: {
        kind: 'qrf',
        forest: { trees: 20, minSamplesLeaf: 2, maxFeatures: 1 / 3 },
        policy: 'always',
      },
      strategy: 'greedy',
      costAware: false,
      seed: 0,
    });
    const featurized = usageOf({ cpuSeconds: 2, wallSeconds: 2 });
    const outcome = await replay(config, pool, { matrix, nFeatures, usage: featurized });

    const at = (tier: string) => outcome.evaluations.filter((e) => e.tier === tier);
    expect(at('xtb').length).toBeLessThanOrEqual(36);
    expect(at('nwchem').length).toBeLessThanOrEqual(18);
    expect(at('nwchem').length).toBeGreaterThan(0);
    // only successes at xtb climb, and each molecule is evaluated once per tier
    const okAtXtb = new Set(
      at('xtb')
        .filter((e) => e.status === 'ok')
        .map((e) => e.idx),
    );
    for (const e of at('nwchem')) expect(okAtXtb.has(e.idx)).toBe(true);
    expect(new Set(at('xtb').map((e) => e.idx)).size).toBe(at('xtb').length);

    // the ledger: one geometry per molecule, the labels' CPU per tier, the pool's featurisation once, real fits
    const cpu = (activity: string) => outcome.byActivity.get(activity)?.cpuSeconds ?? 0;
    const xtbCpu = at('xtb').reduce((a, e) => a + e.cpuSeconds, 0);
    expect(cpu('geometry')).toBeCloseTo(at('xtb').length, 9);
    expect(cpu('qm:xtb')).toBeCloseTo(xtbCpu, 9);
    expect(cpu('qm:nwchem')).toBeCloseTo(30 * at('nwchem').length, 9);
    expect(cpu('ml:featurize')).toBe(2);
    expect(cpu('ml:train+screen')).toBeGreaterThan(0);
    const joules = [...outcome.byActivity.values()].reduce((a, u) => a + u.energyJoules, 0);
    expect(outcome.total.energyJoules).toBeCloseTo(joules, 6);

    // the figures: hits among the DFT evaluations, energy against brute force at both tiers
    const truth = truthOf(pool, config.objective);
    expect(truth.top.size).toBe(2); // 1% of 113 successes, rounded up
    const f = figuresOf(config, outcome, truth);
    const atTop = new Set(at('nwchem').map((e) => e.idx));
    expect(f.found).toBe([...truth.top].filter((i) => atTop.has(i)).length);
    expect(f.calls).toEqual({ xtb: at('xtb').length, nwchem: at('nwchem').length });
    expect(f.topTierCallsFraction).toBeCloseTo(at('nwchem').length / 120, 12);
    expect(f.kWh).toBeCloseTo(kWh(joules), 12);
    expect(f.vsBruteAll).toBeCloseTo(f.kWh / truth.bruteAll.kWh, 12);
    expect(f.hitsPerKWh).toBeCloseTo(f.found / f.kWh, 6);
    // brute force: 120 geometries, 120 xtb calculations (7 failed), 113 DFT ones, each at its own energy
    const energy = (cpuSeconds: number, wallSeconds: number) =>
      usageOf({ cpuSeconds, wallSeconds }).energyJoules;
    const brute = 120 * energy(1, 1) + 113 * energy(0.1, 0.1) + 7 * energy(0.5, 0.5) + 113 * energy(30, 31);
    expect(truth.bruteAll.kWh).toBeCloseTo(kWh(brute), 9);
    expect(truth.bruteTier1.kWh).toBeCloseTo(kWh(brute - 113 * energy(30, 31)), 9);

    const [m] = mediansOf([f, { ...f, seed: 1, found: 0, foundFraction: 0 }, { ...f, seed: 2 }]);
    expect(m).toMatchObject({ surrogate: 'qrf', strategy: 'greedy', seeds: 3, found: f.found });
  });
});
