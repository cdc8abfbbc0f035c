/** Several objectives and constraints: the schema, feasibility, the front a campaign keeps, and ehvi/parego. */
import { describe, expect, it } from 'vitest';
import { formatClassifier, formatFront } from '../../cli/format.js';
import { feasibility, holds, meetsAll } from '../../lib/acquisition/feasibility.js';
import { acquire } from '../../lib/acquisition/index.js';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';
import {
  feasible,
  modelledProperties,
  needsSaScore,
  nextFront,
  objectivesOf,
} from '../../lib/campaign/objectives.js';
import { classifierScores, stratifiedFolds } from '../../lib/classification-metrics.js';
import { normalCdf } from '../../lib/domain/normal.js';

const HEAD = `name: mo
candidates:
  source: mols.smi
`;
const TIERS = `tiers:
  - code: xtb
`;
const TWO = `objectives:
  - {property: homoLumoGap, direction: maximize}
  - {property: saScore, direction: minimize}
`;

const load = (body: string) => loadCampaign(`${HEAD}${body}${TIERS}`, 'mo.yaml');
const problems = (body: string) => load(body).problems.map(formatProblem);

describe('objectives and constraints in a campaign file', () => {
  it('a list of objectives, constraints written as text or as a mapping', () => {
    const { config, problems: p } = load(
      `${TWO}constraints: ["dipoleMoment <= 5", {property: homoLumoGap, op: ">=", bound: 1.5e0}]\nacquisition: {strategy: ehvi}\n`,
    );
    expect(p).toEqual([]);
    expect(config?.objective).toEqual({ property: 'homoLumoGap', direction: 'maximize' });
    expect(config && objectivesOf(config).map((o) => o.property)).toEqual(['homoLumoGap', 'saScore']);
    expect(config?.constraints).toEqual([
      { property: 'dipoleMoment', op: '<=', bound: 5 },
      { property: 'homoLumoGap', op: '>=', bound: 1.5 },
    ]);
    // the gap is the objective's own surrogate; the dipole needs one; the SA score is exact
    expect(config && modelledProperties(config)).toEqual(['dipoleMoment']);
    expect(config && needsSaScore(config)).toBe(true);
  });

  it('a parsed config parses again to itself (stored configs are re-read)', () => {
    const { config } = load(`${TWO}acquisition: {strategy: parego}\n`);
    const again = loadCampaign(JSON.stringify(config), 'again.json');
    expect(again.problems).toEqual([]);
    expect(again.config).toEqual(config);
  });

  it('a constraint on a property no tier produces is an error at its place', () => {
    expect(
      problems(`objective: {property: homoLumoGap, direction: maximize}\nconstraints: ["bandGap >= 1"]\n`),
    ).toEqual([
      'mo.yaml:5:15 constraints.0: the last tier (xtb, xtb) does not report bandGap; it reports homoLumoGap, totalEnergy, dipoleMoment',
    ]);
    expect(
      problems(`objective: {property: homoLumoGap, direction: maximize}\nconstraints: ["gap >= 3"]\n`),
    ).toEqual([
      'mo.yaml:5:15 constraints.0: unknown property "gap" (known: homoLumoGap, totalEnergy, dipoleMoment, bandGap, energyPerAtom, formationEnergy, saScore)',
    ]);
    expect(
      problems(`objective: {property: homoLumoGap, direction: maximize}\nconstraints: ["gap > 3"]\n`)[0],
    ).toMatch(/^mo\.yaml:5:15 constraints\.0: "gap > 3" is not a constraint: write PROPERTY >= NUMBER/);
  });

  it('several objectives need a multi-objective strategy, and one objective needs none', () => {
    expect(problems(TWO)).toEqual([
      'mo.yaml:5:3 objectives: 2 objectives need a multi-objective strategy: ehvi or parego (got "ucb")',
    ]);
    expect(
      problems(`objective: {property: homoLumoGap, direction: maximize}\nacquisition: {strategy: ehvi}\n`)[0],
    ).toMatch(/acquisition\.strategy: strategy "ehvi" weighs several objectives; this campaign has one/);
  });

  it('the first objective must come from a tier; an objective twice is refused', () => {
    const p = problems(
      'objectives:\n  - {property: saScore, direction: minimize}\n  - {property: saScore, direction: minimize}\nacquisition: {strategy: ehvi}\n',
    );
    expect(
      p.some((x) => x.includes('objectives.0.property: the first objective is the one the tiers compute')),
    ).toBe(true);
    expect(p.some((x) => x.includes('objectives.1.property: "saScore" is already an objective'))).toBe(true);
  });

  it('neither objective nor objectives: one clear error', () => {
    expect(problems('')).toEqual([
      'mo.yaml:1:1 objective: what should the campaign optimise? give objective: {property, direction} or an objectives list',
    ]);
  });
});

describe('feasibility', () => {
  it('is the product of the bounds’ normal probabilities, exact at std 0', () => {
    expect(holds({ op: '>=', bound: 3 }, 4, 1)).toBeCloseTo(normalCdf(1), 12);
    expect(holds({ op: '<=', bound: 3 }, 4, 2)).toBeCloseTo(normalCdf(-0.5), 12);
    expect(holds({ op: '<=', bound: 3 }, 3, 0)).toBe(1);
    expect(holds({ op: '>=', bound: 3 }, 2.9, 0)).toBe(0);
    const p = feasibility(
      [
        { property: 'a', op: '>=', bound: 0 },
        { property: 'b', op: '<=', bound: 1 },
      ],
      (name) => (name === 'a' ? { mean: [1, -1], std: [1, 1] } : { mean: [0, 0], std: [0, 0] }),
      2,
    );
    expect(p[0]).toBeCloseTo(normalCdf(1), 12);
    expect(p[1]).toBeCloseTo(normalCdf(-1), 12);
  });

  it('evaluated values: a missing value breaks its bound', () => {
    const bounds = [{ property: 'dipoleMoment', op: '<=' as const, bound: 5 }];
    expect(meetsAll(bounds, { dipoleMoment: 4.9 })).toBe(true);
    expect(meetsAll(bounds, { dipoleMoment: 5.1 })).toBe(false);
    expect(meetsAll(bounds, { homoLumoGap: 3 })).toBe(false);
  });

  it('weights a non-negative strategy; others put the likely infeasible last', () => {
    const predictions = { mean: [1, 2, 3], std: [1, 1, 1] };
    const base = {
      predictions,
      exclude: new Set<number>(),
      batchSize: 3,
      objective: { direction: 'maximize' as const },
      seed: 1,
    };
    // greedy would take 2, 1, 0: candidate 2 is almost surely infeasible, so it goes last
    expect(acquire({ ...base, strategy: 'greedy', feasibility: [0.9, 0.8, 0.1] })).toEqual([1, 0, 2]);
    // uncertainty (non-negative, all equal std): ranked by the probability itself
    expect(acquire({ ...base, strategy: 'uncertainty', feasibility: [0.2, 0.9, 0.5] })).toEqual([1, 2, 0]);
  });
});

describe('the front a campaign keeps', () => {
  const config = {
    objective: { property: 'homoLumoGap' as const, direction: 'maximize' as const },
    objectives: [
      { property: 'homoLumoGap' as const, direction: 'maximize' as const },
      { property: 'saScore' as const, direction: 'minimize' as const },
    ],
    constraints: [{ property: 'dipoleMoment' as const, op: '<=' as const, bound: 5 }],
  };
  const r = (idx: number, gap: number, sa: number, dipole = 1, status = 'ok') => ({
    idx,
    label: `m${idx}`,
    status,
    values: { homoLumoGap: gap, saScore: sa, dipoleMoment: dipole },
  });

  it('keeps the non-dominated feasible results, with a hypervolume that only grows', () => {
    const first = nextFront(config, undefined, [
      r(0, 2, 3),
      r(1, 3, 4),
      r(2, 1, 5),
      r(3, 9, 1, 7),
      r(4, 4, 1, 1, 'failed'),
    ]);
    // #2 is dominated by #0; #3 breaks the dipole bound; #4 failed
    expect(first.points.map((p) => p.idx)).toEqual([0, 1]);
    // corner: worst observed (gap 2, sa 4 -> score -4) less 10% of the range (1 each)
    // corner: over every feasible result (#2 too): gap 1 - 0.1*2, SA score -5 - 0.1*2
    expect(first.reference[0]).toBeCloseTo(0.8, 12);
    expect(first.reference[1]).toBeCloseTo(-5.2, 12);
    // boxes in score space: (3-0.8)*(-4+5.2) + (2-0.8)*(-3+4) = 2.64 + 1.2
    expect(first.hypervolume).toBeCloseTo(3.84, 12);
    const second = nextFront(config, first, [r(5, 3.5, 2)]);
    // (3.5, 2) dominates both: (3.5-0.8)*(-2+5.2)
    expect(second.points.map((p) => p.idx)).toEqual([5]);
    expect(second.hypervolume).toBeCloseTo(8.64, 12);
    expect(second.reference).toEqual(first.reference);
    expect(second.hypervolume).toBeGreaterThan(first.hypervolume);
    const third = nextFront(config, second, [r(6, 1, 9)]);
    expect(third.hypervolume).toBe(second.hypervolume);
  });

  it('feasible() holds for every result of a campaign without constraints', () => {
    expect(feasible({ objective: config.objective }, undefined)).toBe(true);
    expect(feasible(config, { dipoleMoment: 6 })).toBe(false);
  });
});

describe('ehvi and parego as strategies', () => {
  // two objectives, both maximised; observed (1, 1) and (0, 0): the corner is (-0.1, -0.1), HV 1.21.
  // Exact improvements (std 0): #1 (2, 2) 3.2, #2 (1.5, 1.5) 1.35, #3 (3, 0.2) 0.6, #0 0; once #1 is believed,
  // #3 still adds (3-2)(0.2+0.1) = 0.3 and #2 nothing
  const mean = [
    [0.5, 2, 1.5, 3],
    [0.5, 2, 1.5, 0.2],
  ];
  const std = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  const multi = {
    objectives: [{ direction: 'maximize' as const }, { direction: 'maximize' as const }],
    predictions: { mean, std },
    observed: [
      [1, 1],
      [0, 0],
    ],
  };
  const ctx = {
    predictions: { mean: mean[0] as number[], std: std[0] as number[] },
    exclude: new Set<number>(),
    batchSize: 2,
    objective: { direction: 'maximize' as const },
    multi,
    seed: 3,
  };

  it('ehvi takes the largest exact improvement first, then what adds beyond it', () => {
    expect(acquire({ ...ctx, strategy: 'ehvi' })).toEqual([1, 3]);
  });

  it('ehvi weighs improvement by the probability of feasibility', () => {
    expect(acquire({ ...ctx, strategy: 'ehvi', batchSize: 1, feasibility: [1, 0.01, 0.01, 1] })).toEqual([3]);
  });

  it('parego never picks a candidate dominated by another open one first', () => {
    const batch = acquire({ ...ctx, strategy: 'parego', batchSize: 1 });
    expect([1, 3]).toContain(batch[0]);
  });

  it('refuses to run with one objective', () => {
    expect(() =>
      acquire({ ...ctx, multi: { ...multi, objectives: [multi.objectives[0] as never] }, strategy: 'ehvi' }),
    ).toThrow(/needs multi/);
  });
});

describe('the front in cascade status', () => {
  it('lists the points by the first objective, with the hypervolume', () => {
    const lines = formatFront(
      {
        points: [
          { idx: 3, label: 'a', values: [2, 1.5] },
          { idx: 7, label: 'b', values: [4.25, 3] },
        ],
        hypervolume: 3.84,
        reference: [0.8, -5.2],
      },
      ['homoLumoGap', 'saScore'],
    );
    expect(lines).toEqual([
      'front     2 feasible point(s) on the Pareto front, hypervolume 3.840',
      '          homoLumoGap 4.250, saScore 3.000  b',
      '          homoLumoGap 2.000, saScore 1.500  a',
    ]);
  });
});

describe('the failure classifier in cascade status', () => {
  it('names its figures beside the plain network’s', () => {
    expect(
      formatClassifier({
        round: 2,
        trainedOn: 16,
        metrics: {
          failures: 4,
          accuracy: 0.75,
          plainAccuracy: 0.75,
          brier: 0.2,
          ece: 0.1,
          plainEce: 0.25,
          nc1: 0.001,
        },
      }).split('\n'),
    ).toEqual([
      'failures  classifier of round 2: 4 of 16 candidates failed; P(success) weighs acquisition',
      '          cross-validated accuracy 0.750 (plain 0.750), Brier 0.200 (plain -), calibration error 0.100 (plain 0.250)',
      '          latent code: NC1 0.001 (plain -), binarity - (plain -)',
    ]);
    expect(formatClassifier(undefined)).toBe('');
  });
});

describe('classifier scores', () => {
  it('accuracy, Brier, log loss and calibration error by hand', () => {
    const s = classifierScores([0.9, 0.8, 0.3, 0.6], [1, 1, 0, 0]);
    expect(s.accuracy).toBe(0.75);
    expect(s.brier).toBeCloseTo((0.01 + 0.04 + 0.09 + 0.36) / 4, 12);
    expect(s.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.7) + Math.log(0.4)) / 4, 12);
    // bins: 0.3 -> bin 3 (|0.3 - 0|), 0.6 -> bin 6 (|0.6 - 0|), 0.8 -> bin 8 (|0.8 - 1|), 0.9 -> bin 9 (|0.9 - 1|)
    expect(s.ece).toBeCloseTo((0.3 + 0.6 + 0.2 + 0.1) / 4, 12);
  });

  it('stratified folds deal each class round-robin', () => {
    expect([...stratifiedFolds([1, 1, 0, 1, 0, 0, 1], 3)]).toEqual([0, 1, 0, 2, 1, 2, 0]);
  });
});
