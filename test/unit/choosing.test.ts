/** surrogate.policy: choosing must pay for itself (lib/campaign/choosing.ts). */
import { describe, expect, it } from 'vitest';
import { afterRound, freshChoosing, type RoundCosts, trainsThisRound } from '../../lib/campaign/choosing.js';

/** A round that computed 8 candidates at xtb (400 J: 50 J each) and 1 at dft (100 J); 1000 left at xtb. */
const round = (r: Partial<RoundCosts>): RoundCosts => ({
  round: 1,
  choosingJoules: 100,
  computed: { xtb: { joules: 400, count: 8 }, dft: { joules: 100, count: 1 } },
  cached: {},
  firstTier: 'xtb',
  remaining: 1000,
  trained: true,
  ...r,
});

describe('afterRound', () => {
  it('leaves a surrogate that costs less than the calculations it picks alone', () => {
    const next = afterRound(freshChoosing(), round({}), 'mlp-ensemble', true);
    expect(next.retrainEvery).toBe(1);
    expect(next.kind).toBeUndefined();
    expect(next.exhaustive).toBeUndefined();
    expect(next.actions).toEqual([]);
    expect(next.verdict).toMatch(/^choosing paid/);
    expect(next.lastTrainedRound).toBe(1);
    expect(next.tiers).toEqual({ xtb: { joules: 400, count: 8 }, dft: { joules: 100, count: 1 } });
    expect(next.last?.batchJoules).toBe(500);
  });

  it('replaces an MLP ensemble that costs more than its batch by the forest, then retrains less often', () => {
    let c = afterRound(freshChoosing(), round({ choosingJoules: 600 }), 'mlp-ensemble', true);
    expect(c.kind).toBe('qrf');
    expect(c.verdict).toContain('more than the calculations it picked');
    c = afterRound(c, round({ round: 2, choosingJoules: 600 }), 'mlp-ensemble', true);
    expect(c.retrainEvery).toBe(2);
    c = afterRound(c, round({ round: 3, choosingJoules: 600 }), 'mlp-ensemble', true);
    c = afterRound(c, round({ round: 4, choosingJoules: 600 }), 'mlp-ensemble', true);
    expect(c.retrainEvery).toBe(8);
    c = afterRound(c, round({ round: 5, choosingJoules: 600 }), 'mlp-ensemble', true);
    expect(c.exhaustive).toBe(true);
    expect(c.actions).toHaveLength(5);
  });

  it('runs tier 1 over the rest once choosing costs more than computing the rest', () => {
    // mean tier-1 cost 50 J; 3 candidates left = 150 J < 200 J of choosing
    const c = afterRound(
      freshChoosing(),
      round({
        choosingJoules: 200,
        computed: { xtb: { joules: 400, count: 8 }, dft: { joules: 5000, count: 1 } },
        remaining: 3,
      }),
      'qrf',
      true,
    );
    expect(c.exhaustive).toBe(true);
    expect(c.last?.restAtTier1Joules).toBe(150);
    expect(c.verdict).toContain('more than the rest of the pool at tier 1');
  });

  it('policy always only reports', () => {
    const c = afterRound(freshChoosing(), round({ choosingJoules: 600 }), 'mlp-ensemble', false);
    expect(c.kind).toBeUndefined();
    expect(c.retrainEvery).toBe(1);
    expect(c.verdict).toContain('surrogate.policy: always');
  });

  it('a round that did not train costs nothing to choose', () => {
    const c = afterRound(freshChoosing(), round({ choosingJoules: 0, trained: false }), 'qrf', true);
    expect(c.verdict).toBe('no training this round');
    expect(c.lastTrainedRound).toBeUndefined();
  });
});

describe('a warm cache', () => {
  it("values a calculation answered from the store at its tier's mean cost, not at nothing", () => {
    // 2 computed at xtb (100 J: 50 J each) and 6 answered from the store: worth 6 x 50 J
    const c = afterRound(
      freshChoosing(),
      round({ choosingJoules: 300, computed: { xtb: { joules: 100, count: 2 } }, cached: { xtb: 6 } }),
      'qrf',
      true,
    );
    expect(c.last?.batchJoules).toBe(400);
    expect(c.verdict).toMatch(/^choosing paid/);
  });

  it('never judges the rest of the pool from cache hits alone', () => {
    const c = afterRound(
      freshChoosing(),
      round({ choosingJoules: 300, computed: {}, cached: { xtb: 8 }, remaining: 3 }),
      'qrf',
      true,
    );
    expect(c.exhaustive).toBeUndefined();
    expect(c.kind).toBeUndefined();
    expect(c.last?.restAtTier1Joules).toBeUndefined();
    expect(c.verdict).toMatch(/^not judged/);
  });
});

describe('trainsThisRound', () => {
  it('trains every retrainEvery rounds after the last training, never once exhaustive', () => {
    const c = { ...freshChoosing(), retrainEvery: 4, lastTrainedRound: 3 };
    expect(trainsThisRound(c, 4)).toBe(false);
    expect(trainsThisRound(c, 6)).toBe(false);
    expect(trainsThisRound(c, 7)).toBe(true);
    expect(trainsThisRound(freshChoosing(), 0)).toBe(true);
    expect(trainsThisRound({ ...c, exhaustive: true }, 20)).toBe(false);
  });
});
