/**
 * Class objectives past the schema: which results are hits, the labels the class model learns (and from which
 * tier), acquisition's ranking by P(hit) x P(feasible and successful), stopping at a hit count, and whole
 * campaigns run by CampaignRounds with fake activities (hits, improvement, the published figure).
 */
import { describe, expect, it } from 'vitest';
import { classRanking } from '../../lib/acquisition/class-ranking.js';
import { acquire } from '../../lib/acquisition/index.js';
import type { AcquisitionContext } from '../../lib/acquisition/strategy.js';
import { classLabels, classText, hitsAmong, inClass } from '../../lib/campaign/class-objective.js';
import { freshState } from '../../lib/campaign/progress.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import { limitsFromConfig, stopReason } from '../../lib/campaign/stopping.js';
import type { Usage } from '../../lib/domain/usage.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { CampaignRounds, type Evaluated, type RoundActivities } from '../../workflows/campaign-rounds.js';

const above3 = { property: 'homoLumoGap', direction: 'maximize' as const, above: 3 };
const below1 = { property: 'dipoleMoment', direction: 'minimize' as const, below: 1 };
const succeeds = { property: 'totalEnergy', direction: 'minimize' as const, succeeds: true as const };

const ok = (idx: number, tier: string, values: Record<string, number>) => ({
  idx,
  tier,
  status: 'ok',
  values,
});
const failed = (idx: number, tier: string) => ({ idx, tier, status: 'failed', values: {} });

describe('hits', () => {
  it('a bar counts its own value (equality included); a failure or a missing value is no hit', () => {
    expect(inClass(above3, { status: 'ok', values: { homoLumoGap: 3 } })).toBe(true);
    expect(inClass(above3, { status: 'ok', values: { homoLumoGap: 2.999 } })).toBe(false);
    expect(inClass(above3, { status: 'failed', values: { homoLumoGap: 5 } })).toBe(false);
    expect(inClass(above3, { status: 'ok', values: { totalEnergy: -5 } })).toBe(false);
    expect(inClass(below1, { status: 'ok', values: { dipoleMoment: 0.4 } })).toBe(true);
    expect(inClass(below1, { status: 'ok', values: { dipoleMoment: 1.4 } })).toBe(false);
    // recorded before `values`: the objective's value alone
    expect(inClass(above3, { status: 'ok', value: 4 })).toBe(true);
  });

  it('succeeds counts a calculation that reported its energy', () => {
    expect(inClass(succeeds, { status: 'ok', values: { totalEnergy: -12.5 } })).toBe(true);
    expect(inClass(succeeds, { status: 'ok', values: {} })).toBe(false);
    expect(inClass(succeeds, { status: 'failed', values: {} })).toBe(false);
  });

  it('counts each candidate once, and only those `counts` keeps', () => {
    const rs = [
      ok(1, 'xtb', { homoLumoGap: 4, dipoleMoment: 2 }),
      ok(1, 'xtb', { homoLumoGap: 4, dipoleMoment: 2 }),
      ok(2, 'xtb', { homoLumoGap: 3.5, dipoleMoment: 9 }),
      ok(3, 'xtb', { homoLumoGap: 1, dipoleMoment: 0 }),
      failed(4, 'xtb'),
    ];
    expect(hitsAmong(above3, rs)).toBe(2);
    expect(hitsAmong(above3, rs, (r) => (r.values?.dipoleMoment ?? 0) <= 5)).toBe(1);
  });

  it('says what the class is', () => {
    expect(classText(above3)).toBe('homoLumoGap >= 3');
    expect(classText(below1)).toBe('dipoleMoment <= 1');
    expect(classText(succeeds)).toBe('calculations succeed');
  });
});

describe('the class labels a retrain learns', () => {
  const tiers = ['xtb', 'dft'];
  it('a bar: the highest tier with enough hits and misses, failures left out', () => {
    const evaluations = [
      ...[0, 1, 2, 3, 4, 5].map((i) => ok(i, 'xtb', { homoLumoGap: i })), // hits 3, 4, 5; misses 0, 1, 2
      failed(6, 'xtb'),
      ok(3, 'dft', { homoLumoGap: 3.2 }),
      ok(4, 'dft', { homoLumoGap: 2.5 }),
    ];
    const t = classLabels(above3, evaluations, tiers, 2);
    // dft has one hit and one miss: too few; xtb has three of each
    expect(t).toEqual({
      labelTier: 'xtb',
      labels: new Map([
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 1],
        [4, 1],
        [5, 1],
      ]),
      hits: 3,
    });
    const atTop = classLabels(above3, evaluations, tiers, 1);
    expect(atTop).toMatchObject({ labelTier: 'dft', hits: 1 });
    expect('labels' in atTop && [...atTop.labels]).toEqual([
      [3, 1],
      [4, 0],
    ]);
  });

  it('a bar with too few on one side says why', () => {
    const evaluations = [0, 1, 2, 3].map((i) => ok(i, 'xtb', { homoLumoGap: i / 10 }));
    expect(classLabels(above3, evaluations, tiers, 2)).toEqual({
      note: 'needs 2 candidates in the class (homoLumoGap >= 3) and 2 outside it at one tier; has 0 and 4 at xtb',
    });
  });

  it('succeeds: every evaluated candidate, 0 once any of its calculations failed', () => {
    const evaluations = [
      ok(0, 'xtb', { totalEnergy: -1 }),
      ok(0, 'dft', { totalEnergy: -1.1 }),
      ok(1, 'xtb', { totalEnergy: -2 }),
      failed(1, 'dft'),
      failed(2, 'xtb'),
      ok(3, 'xtb', { totalEnergy: -3 }),
    ];
    expect(classLabels(succeeds, evaluations, tiers, 2)).toEqual({
      labelTier: 'dft',
      labels: new Map([
        [0, 1],
        [1, 0],
        [2, 0],
        [3, 1],
      ]),
      hits: 2,
    });
    expect(classLabels(succeeds, evaluations, tiers, 3)).toEqual({
      note: 'needs 3 successful and 3 failed candidates; has 2 and 2',
    });
  });
});

describe('acquisition for a class objective', () => {
  const ctx = (over: Partial<AcquisitionContext> = {}): AcquisitionContext => ({
    strategy: 'ucb',
    // P(hit) of pool candidates 0..4
    predictions: { mean: [0.9, 0.2, 0.6, 0.8, 0.4], std: [0, 0, 0, 0, 0] },
    exclude: new Set([0]),
    batchSize: 2,
    // a below-bar objective minimises its value, but the probability of a hit is always maximised
    objective: { direction: 'minimize' },
    params: { kappa: 2 },
    seed: 1,
    ...over,
  });

  it('ranks by P(hit), whatever the direction of the value', () => {
    expect(acquire(classRanking(ctx()))).toEqual([3, 2]);
    expect(acquire(classRanking(ctx({ strategy: 'greedy', batchSize: 4 })))).toEqual([3, 2, 4, 1]);
  });

  it('weighs P(hit) by the chance of success and feasibility, which it consumes', () => {
    // 0.8 x 0.5 = 0.4 < 0.6 x 0.9 = 0.54; 0.4 x 1 = 0.4 (tie to the lower index: 3)
    const c = classRanking(ctx({ feasibility: [1, 1, 0.9, 0.5, 1] }));
    expect(c.feasibility).toBeUndefined();
    expect(Array.from(c.predictions?.mean ?? [])).toEqual([0.9, 0.2, 0.6 * 0.9, 0.4, 0.4]);
    expect(acquire(c)).toEqual([2, 3]);
  });

  it('before a model, leaves the random first batch alone', () => {
    const c = ctx({ predictions: undefined, poolSize: 5 });
    expect(classRanking(c)).toBe(c);
  });
});

describe('stopping for a class objective', () => {
  const config = (stopping: CampaignInput['stopping']) =>
    CampaignConfig.parse({
      name: 'c',
      candidates: { source: 'm.smi' },
      objective: { property: 'homoLumoGap', above: 3 },
      tiers: [{ code: 'xtb' }],
      budget: { rounds: 10 },
      stopping,
    });

  it('stops at a hit count, not at a value', () => {
    const c = config({ target: 3 });
    const best = { idx: 1, label: 'm1', identity: 'C', value: 9 };
    expect(stopReason(c, limitsFromConfig(c), freshState({ round: 1, hits: 2, best }))).toBeUndefined();
    expect(stopReason(c, limitsFromConfig(c), freshState({ round: 1, hits: 3 }))).toBe(
      'target reached (3 hits of homoLumoGap >= 3)',
    );
  });

  it('says patience ran out without a new hit', () => {
    const c = config({ patience: 2 });
    expect(stopReason(c, limitsFromConfig(c), freshState({ round: 4, roundsWithoutImprovement: 2 }))).toBe(
      'no new hit for 2 rounds',
    );
  });
});

describe('a class-objective campaign with fake activities', () => {
  const usage: Usage = {
    wallSeconds: 1,
    cpuSeconds: 1,
    gpuSeconds: 0,
    energyJoules: 1,
    energyMethod: 'model',
  };

  /** A pool whose candidate i has a gap of gap(i) (undefined: its calculation fails), acquired in index order. */
  function run(input: CampaignInput, gap: (i: number) => number | undefined) {
    const config = CampaignConfig.parse(input);
    const evaluated = new Set<number>();
    const published: number[] = [];
    const activities: RoundActivities = {
      restoreCampaign: async () => freshState(),
      preparePool: async () => ({ read: 30, kept: 30, rejected: {} }),
      trainSurrogate: async () => ({ usage }),
      acquireBatch: async (a) => {
        const indices: number[] = [];
        for (let i = 0; i < 30 && indices.length < a.size; i++) if (!evaluated.has(i)) indices.push(i);
        for (const i of indices) evaluated.add(i);
        return { indices, usage };
      },
      evaluateBatch: async (a) =>
        a.idxs.map((idx): Evaluated => {
          const v = gap(idx);
          return {
            idx,
            label: `m${idx}`,
            identity: `C${idx}`,
            status: v === undefined ? 'failed' : 'ok',
            values: v === undefined ? {} : { homoLumoGap: v, totalEnergy: -v, dipoleMoment: idx % 3 },
            usage,
          };
        }),
      evaluateCandidate: async () => {
        throw new Error('batches only');
      },
    };
    const rounds = new CampaignRounds(
      { campaignId: config.name, config, limits: limitsFromConfig(config) },
      activities,
      {
        qmBatches: () => true,
        publish: (pairs) => {
          const v = pairs.find((p) => p.key.name === attrs.BEST_VALUE.name)?.value;
          if (typeof v === 'number') published.push(v);
        },
        condition: async () => undefined,
        continueAsNewSuggested: () => false,
      },
    );
    return { rounds, published };
  }
  const base = {
    name: 'hits',
    candidates: { source: 'm.smi' },
    acquisition: { strategy: 'ucb' as const, batchSize: 4, initialBatch: 4 },
    tiers: [{ code: 'xtb' as const }],
  };

  it('counts the feasible hits, publishes them, and stops at the target', async () => {
    // gaps 0, 1, 2, ...: hits from index 3 on; dipole idx % 3 <= 1 keeps two in three
    const { rounds, published } = run(
      {
        ...base,
        objective: { property: 'homoLumoGap', above: 3 },
        constraints: ['dipoleMoment <= 1'],
        budget: { rounds: 10 },
        stopping: { target: 5 },
      },
      (i) => i,
    );
    expect(await rounds.run()).toBe('finished');
    const p = rounds.progress();
    // round 0: 0..3 -> 3 (dipole 0): 1 hit; round 1: 4..7 -> 4 (1), 6 (0), 7 (1): 3 more; round 2: 9, 10 -> 6
    expect(p.round).toBe(3);
    expect(p.hits).toBe(6);
    expect(p.stopReason).toBe('target reached (6 hits of homoLumoGap >= 3)');
    expect(published).toEqual([1, 4, 6, 6]);
    // the best value is still kept for a bar: the largest feasible gap
    expect(p.best?.value).toBe(10);
  });

  it('succeeds: a hit is a calculation that succeeded; no round without one improves', async () => {
    const { rounds } = run(
      { ...base, objective: { property: 'succeeds' }, budget: { rounds: 5 }, stopping: { patience: 1 } },
      (i) => (i < 6 ? -i : undefined),
    );
    await rounds.run();
    const p = rounds.progress();
    // round 0: 0..3 all succeed; round 1: 4, 5 succeed; round 2: none -> patience 1 ends it
    expect(p.hits).toBe(6);
    expect(p.round).toBe(3);
    expect(p.stopReason).toBe('no new hit for 1 rounds');
    expect(p.best).toBeUndefined();
  });
});
