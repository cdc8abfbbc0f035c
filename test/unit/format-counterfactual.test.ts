/** What `cascade status` prints about brute force: its energy, the campaign's share of it, calls avoided, hits per kWh. */
import { describe, expect, it } from 'vitest';
import { formatCounterfactual, formatEnergy } from '../../cli/format.js';
import { type CounterfactualInput, counterfactual } from '../../lib/campaign/counterfactual.js';

const cost = (energyJoules: number, cpuSeconds = 1) => ({ energyJoules, cpuSeconds });

// 1,900 candidates at 23.3 J (xtb) and 63.1 J (nwchem) each: 12.3 Wh and 45.6 Wh in all; the campaign 3.2 Wh
const twoTiers = (over: Partial<CounterfactualInput> = {}): CounterfactualInput => ({
  poolSize: 1900,
  tiers: [
    { tier: 'xtb', calls: 300, costs: [cost(23.3)], withGeometry: true },
    { tier: 'nwchem', calls: 20, costs: [cost(63.1)], withGeometry: false },
  ],
  actual: [{ activity: 'qm:xtb', ...cost(11_520) }],
  objective: { direction: 'maximize' },
  hitsTopK: 10,
  topValues: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  ...over,
});

describe('formatCounterfactual', () => {
  it('prints brute force at the first tier and through all, the campaign’s share, calls avoided and hits per kWh', () => {
    expect(formatCounterfactual(counterfactual(twoTiers()), 'eV').split('\n')).toEqual([
      'brute force (1,900 candidates x the median measured per candidate): every candidate at xtb 12.3 Wh, through all tiers 45.6 Wh',
      '  this campaign 3.2 Wh (26% of brute force at xtb, 7% of brute force through all tiers), 1,880 nwchem calls avoided',
      // 10 hits / 0.0032 kWh; 10 / 0.045617 kWh
      '  hits: 10 (top 10 at nwchem), 3,125 per kWh vs 219 per kWh for brute force',
    ]);
  });

  it('says what is unknown and why, and labels the surrogate’s estimate', () => {
    const unknownTier = twoTiers({
      tiers: [
        { tier: 'xtb', calls: 300, costs: [cost(23.3)], withGeometry: true },
        { tier: 'nwchem', calls: 1, costs: [], withGeometry: false },
      ],
      target: 11.5,
      surrogate: { unavailable: 'the latest surrogate learned xtb, not nwchem' },
    });
    const text = formatCounterfactual(counterfactual(unknownTier), 'eV').split('\n');
    expect(text[0]).toBe(
      'brute force (1,900 candidates x the median measured per candidate): every candidate at xtb 12.3 Wh, through all tiers unknown (nothing computed at nwchem yet)',
    );
    expect(text[1]).toBe('  this campaign 3.2 Wh (26% of brute force at xtb), 1,899 nwchem calls avoided');
    expect(text[2]).toBe(
      "  hits: 1 (reaching 11.5 eV at nwchem), 313 per kWh; brute force's unknown (the latest surrogate learned xtb, not nwchem)",
    );

    const estimated = twoTiers({
      poolSize: 14,
      tiers: [
        { tier: 'xtb', calls: 14, costs: [cost(3600)], withGeometry: false },
        { tier: 'nwchem', calls: 12, costs: [cost(36_000)], withGeometry: false },
      ],
      target: 11.5,
      surrogate: {
        predictions: [
          { mean: 11.5, std: 1 },
          { mean: 20, std: 0 },
        ],
      },
    });
    // 1 found + 0.5 + 1 = 2.5 hits for 14 x (1 + 10) Wh
    expect(formatCounterfactual(counterfactual(estimated), 'eV').split('\n')[2]).toBe(
      '  hits: 1 (reaching 11.5 eV at nwchem), 313 per kWh vs 16.2 per kWh for brute force (2.5 hits, estimated from the surrogate)',
    );
  });

  it('a single tier has no "through all tiers"; a campaign dearer than brute force says how many times', () => {
    const one = counterfactual(
      twoTiers({ poolSize: 5, tiers: [{ tier: 'xtb', calls: 5, costs: [cost(360)], withGeometry: false }] }),
    );
    expect(formatCounterfactual(one).split('\n').slice(0, 2)).toEqual([
      'brute force (5 candidates x the median measured per candidate): every candidate at xtb 0.50 Wh',
      '  this campaign 3.2 Wh (6.4 times brute force at xtb), 0 xtb calls avoided',
    ]);
    expect(formatCounterfactual(undefined)).toBe('');
  });

  it('says that brute force is the calculations alone while geometry is not recorded per candidate', () => {
    const c = counterfactual(
      twoTiers({
        poolSize: 5,
        tiers: [{ tier: 'xtb', calls: 5, costs: [cost(360)], withGeometry: false }],
        actual: [
          { activity: 'qm:xtb', ...cost(360) },
          { activity: 'geometry', ...cost(3600) },
        ],
      }),
    );
    expect(formatCounterfactual(c).split('\n')[0]).toBe(
      'brute force (5 candidates x the median measured per candidate, calculations only: 3D structures are not recorded per candidate): every candidate at xtb 0.50 Wh',
    );
  });
});

describe('formatEnergy', () => {
  it('uses Wh below a kWh and kWh above', () => {
    expect(formatEnergy(0)).toBe('0 Wh');
    expect(formatEnergy(100)).toBe('0.028 Wh');
    expect(formatEnergy(44_280)).toBe('12.3 Wh');
    expect(formatEnergy(3_599_999)).toBe('1,000 Wh');
    expect(formatEnergy(3.6e6)).toBe('1.0 kWh');
    expect(formatEnergy(7.2e8)).toBe('200 kWh');
  });
});
