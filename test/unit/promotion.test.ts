import { describe, expect, it } from 'vitest';
import { promote, type TierOutcome } from '../../lib/campaign/promotion.js';

const outcomes: TierOutcome[] = [
  { idx: 10, status: 'ok', value: 3 },
  { idx: 11, status: 'ok', value: 7 },
  { idx: 12, status: 'failed' },
  { idx: 13, status: 'ok', value: 5 },
  { idx: 14, status: 'ok', value: 1 },
];

describe('promote', () => {
  it('without a rule promotes every success, in order', () => {
    expect(promote(outcomes, undefined, 'maximize')).toEqual([10, 11, 13, 14]);
  });

  it('top keeps the best fraction of the successes, best first', () => {
    expect(promote(outcomes, { top: 0.5 }, 'maximize')).toEqual([11, 13]);
    expect(promote(outcomes, { top: 0.5 }, 'minimize')).toEqual([14, 10]);
  });

  it('top rounds up and keeps at least one', () => {
    expect(promote(outcomes, { top: 0.01 }, 'maximize')).toEqual([11]);
    expect(promote(outcomes, { top: 0.3 }, 'maximize')).toEqual([11, 13]);
  });

  it('threshold keeps those at least (maximize) or at most (minimize) as good', () => {
    expect(promote(outcomes, { threshold: 5 }, 'maximize')).toEqual([11, 13]);
    expect(promote(outcomes, { threshold: 3 }, 'minimize')).toEqual([10, 14]);
  });

  it('never promotes failures, and nothing from nothing', () => {
    expect(promote([{ idx: 1, status: 'failed' }], { top: 1 }, 'maximize')).toEqual([]);
    expect(promote([], { top: 0.5 }, 'maximize')).toEqual([]);
  });
});
