/**
 * The multi-objective bench's figure (bench/al/front.ts) on four molecules worked by hand, and a two-objective
 * campaign (maximise the gap, minimise the SA score) replayed on a made-up one-tier pool: the SA score travels
 * with the results, the budget is kept, and EHVI's front beats random acquisition's on the same seed.
 */
import { describe, expect, it } from 'vitest';
import { usageOf } from '../../activities/usage.js';
import { frontFiguresOf, frontTruthOf, type ScoredResult } from '../../bench/al/front.js';
import { campaignConfig, planFor } from '../../bench/al/plan.js';
import type { LabelledPool } from '../../bench/al/pool.js';
import { replay } from '../../bench/al/replay.js';
import { mulberry32 } from '../../lib/random.js';

const OBJECTIVES = [
  { property: 'homoLumoGap', direction: 'maximize' },
  { property: 'saScore', direction: 'minimize' },
] as const;

const config = {
  objective: { property: 'homoLumoGap', direction: 'maximize' },
  objectives: [...OBJECTIVES],
  constraints: [],
} as const satisfies Parameters<typeof frontTruthOf>[0];

const labelled: ScoredResult[] = [
  { idx: 0, status: 'ok', values: { homoLumoGap: 1, saScore: 1 } },
  { idx: 1, status: 'ok', values: { homoLumoGap: 3, saScore: 2 } },
  { idx: 2, status: 'ok', values: { homoLumoGap: 2, saScore: 3 } }, // dominated by 1
  { idx: 3, status: 'ok', values: { homoLumoGap: 0, saScore: 4 } }, // dominated by 0 and 1
  { idx: 4, status: 'failed', values: { homoLumoGap: 99, saScore: 0 } }, // a failure counts for nothing
  { idx: 5, status: 'ok', values: { homoLumoGap: 98 } }, // no SA score: not a row
];

describe('the hypervolume fraction', () => {
  // scores (gap, -SA): (1,-1), (3,-2), (2,-3), (0,-4); the corner is 10% of each range beyond the worst
  const truth = frontTruthOf(config, labelled);

  it('measures the true front against the labelled pool corner and the front nadir', () => {
    expect(truth.reference[0]).toBeCloseTo(-0.3, 12);
    expect(truth.reference[1]).toBeCloseTo(-4.3, 12);
    expect(truth.rows).toBe(4);
    expect(truth.front).toEqual(new Set([0, 1]));
    // (3 + 0.3) x (-2 + 4.3) + (1 + 0.3) x (-1 - -2)
    expect(truth.hypervolume).toBeCloseTo(3.3 * 2.3 + 1.3 * 1, 12);
    // the front's nadir (1, -2) less 10% of its ranges (2 and 1): (0.8, -2.1)
    expect(truth.nadir.reference[0]).toBeCloseTo(0.8, 12);
    expect(truth.nadir.reference[1]).toBeCloseTo(-2.1, 12);
    // (3 - 0.8) x (-2 + 2.1) + (1 - 0.8) x (-1 - -2)
    expect(truth.nadir.hypervolume).toBeCloseTo(2.2 * 0.1 + 0.2 * 1, 12);
  });

  it('gives a campaign its share of both, and counts the front molecules it found', () => {
    const found = frontFiguresOf(config, [labelled[1], labelled[3]] as ScoredResult[], truth);
    expect(found.hypervolume).toBeCloseTo(3.3 * 2.3, 12);
    expect(found.fraction).toBeCloseTo((3.3 * 2.3) / (3.3 * 2.3 + 1.3), 12);
    expect(found.nadirFraction).toBeCloseTo(0.22 / 0.42, 12);
    expect(found.onTrueFront).toBe(1);
    expect(frontFiguresOf(config, labelled, truth).fraction).toBeCloseTo(1, 12);
    const none = frontFiguresOf(config, [labelled[4] as ScoredResult], truth);
    expect(none).toEqual({ hypervolume: 0, fraction: 0, nadirFraction: 0, onTrueFront: 0 });
  });
});

/** A made-up one-tier pool: the gap follows the first feature; the SA score is independent of it. */
function madeUpPool(n: number) {
  const rng = mulberry32(5);
  const nFeatures = 2048 + 20; // the default features: Morgan bits, then descriptors
  const matrix = new Float32Array(n * nFeatures);
  const sa = new Float64Array(n);
  const molecules = Array.from({ length: n }, (_, i) => {
    const x = rng();
    matrix[i * nFeatures] = x;
    for (let j = 1; j < 64; j++) matrix[i * nFeatures + j] = rng() < 0.2 ? 1 : 0;
    sa[i] = 1 + 4 * rng();
    return {
      id: `m${i}`,
      smiles: `C${i}`,
      heavyAtoms: 4,
      geometry: usageOf({ cpuSeconds: 1, wallSeconds: 1 }),
      labels: {
        xtb: {
          status: 'ok' as const,
          values: { homoLumoGap: 2 + 4 * x + 0.1 * rng() },
          usage: usageOf({ cpuSeconds: 0.1, wallSeconds: 0.1 }),
        },
      },
    };
  });
  const pool: LabelledPool = { file: 'made-up.jsonl', molecules, tiers: ['xtb'], rows: n, incomplete: 0 };
  return { pool, features: { matrix, nFeatures, usage: usageOf({ cpuSeconds: 1, wallSeconds: 1 }) }, sa };
}

describe('a two-objective campaign replayed', () => {
  it('carries the SA score, keeps to the budget, and ehvi reaches more of the front than random', async () => {
    const { pool, features, sa } = madeUpPool(150);
    const plan = planFor(150, pool.tiers, { rounds: 5, budget: 0.2, topTierBudget: 0.2, promoteTop: 1 });
    const labels: ScoredResult[] = pool.molecules.map((m, idx) => ({
      idx,
      status: 'ok',
      values: { ...m.labels.xtb?.values, saScore: sa[idx] as number },
    }));
    const truth = frontTruthOf(config, labels);
    const run = async (strategy: string) => {
      const c = campaignConfig({
        file: pool.file,
        tiers: pool.tiers,
        property: 'homoLumoGap',
        plan,
        promoteTop: 1,
        surrogate: {
          kind: 'qrf',
          forest: { trees: 30, minSamplesLeaf: 2, maxFeatures: 1 / 3 },
          policy: 'always',
        },
        strategy,
        costAware: false,
        seed: 0,
        ...(strategy === 'random' ? {} : { objectives: [...OBJECTIVES] }),
      });
      const outcome = await replay(c, pool, features, sa);
      return { outcome, figures: frontFiguresOf(config, outcome.evaluations, truth) };
    };
    const ehvi = await run('ehvi');
    expect(ehvi.outcome.evaluations.length).toBe(30);
    for (const e of ehvi.outcome.evaluations) expect(e.values?.saScore).toBe(sa[e.idx]);
    const random = await run('random');
    expect(random.outcome.evaluations.length).toBe(30);
    // the same random first batch, then each its own way
    expect(ehvi.outcome.evaluations.slice(0, 6).map((e) => e.idx)).toEqual(
      random.outcome.evaluations.slice(0, 6).map((e) => e.idx),
    );
    expect(ehvi.figures.nadirFraction).toBeGreaterThan(random.figures.nadirFraction);
    expect(ehvi.figures.onTrueFront).toBeGreaterThan(random.figures.onTrueFront);
  });
});
