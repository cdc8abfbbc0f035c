import { describe, expect, it } from 'vitest';
import { promote, type TierOutcome } from '../../lib/campaign/promotion.js';
import type { ObjectiveSpec } from '../../lib/domain/objective.js';

const outcomes: TierOutcome[] = [
  { idx: 10, status: 'ok', value: 3 },
  { idx: 11, status: 'ok', value: 7 },
  { idx: 12, status: 'failed' },
  { idx: 13, status: 'ok', value: 5 },
  { idx: 14, status: 'ok', value: 1 },
];

const maximize: ObjectiveSpec = { property: 'homoLumoGap', direction: 'maximize' };
const minimize: ObjectiveSpec = { property: 'homoLumoGap', direction: 'minimize' };

describe('promote', () => {
  it('without a rule promotes every success, in order', () => {
    expect(promote(outcomes, undefined, maximize)).toEqual([10, 11, 13, 14]);
  });

  it('top keeps the best fraction of the successes, best first', () => {
    expect(promote(outcomes, { top: 0.5 }, maximize)).toEqual([11, 13]);
    expect(promote(outcomes, { top: 0.5 }, minimize)).toEqual([14, 10]);
  });

  it('top rounds up and keeps at least one', () => {
    expect(promote(outcomes, { top: 0.01 }, maximize)).toEqual([11]);
    expect(promote(outcomes, { top: 0.3 }, maximize)).toEqual([11, 13]);
  });

  it('threshold keeps those at least (maximize) or at most (minimize) as good', () => {
    expect(promote(outcomes, { threshold: 5 }, maximize)).toEqual([11, 13]);
    expect(promote(outcomes, { threshold: 3 }, minimize)).toEqual([10, 14]);
  });

  it('never promotes failures, and nothing from nothing', () => {
    expect(promote([{ idx: 1, status: 'failed' }], { top: 1 }, maximize)).toEqual([]);
    expect(promote([], { top: 0.5 }, maximize)).toEqual([]);
  });

  it("reads the objective's property from results that carry a value per property", () => {
    const byProperty: TierOutcome[] = [
      { idx: 1, status: 'ok', values: { homoLumoGap: 2, totalEnergy: -40 } },
      { idx: 2, status: 'ok', values: { homoLumoGap: 6, totalEnergy: -10 } },
      { idx: 3, status: 'ok', values: { totalEnergy: -99 } }, // the objective's property is missing
    ];
    expect(promote(byProperty, { top: 0.5 }, maximize)).toEqual([2]);
    expect(promote(byProperty, undefined, maximize)).toEqual([1, 2]);
    const energy: ObjectiveSpec = { property: 'totalEnergy', direction: 'minimize' };
    expect(promote(byProperty, { threshold: -20 }, energy)).toEqual([1, 3]);
  });
});
