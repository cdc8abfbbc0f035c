/** The budget and stopping rules that decide when a campaign ends, and how `cascade resume` extends a budget. */
import { describe, expect, it } from 'vitest';
import { type CampaignState, freshState, type Limits } from '../../lib/campaign/progress.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import { extendLimits, isImprovement, limitsFromConfig, stopReason } from '../../lib/campaign/stopping.js';

function config(overrides: Partial<CampaignInput> = {}): CampaignConfig {
  return CampaignConfig.parse({
    name: 'rules',
    candidates: { source: 'mols.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }, { code: 'xtb', name: 'xtb-opt', optimize: true }],
    ...overrides,
  });
}

const state = (overrides: Partial<CampaignState> = {}): CampaignState =>
  freshState({ poolSize: 50, ...overrides });

const best = (value: number) => ({ idx: 3, label: 'm3', identity: 'CCO', value });
const roomy: Limits = { rounds: 100, calls: {} };

describe('stopReason', () => {
  it('goes on while no budget is spent and no rule fires', () => {
    const c = config({ stopping: { patience: 3, target: 10 } });
    expect(stopReason(c, { rounds: 5, calls: { xtb: 20 }, cpuHours: 1 }, state())).toBeUndefined();
    expect(
      stopReason(
        c,
        { rounds: 5, calls: { xtb: 20 }, cpuHours: 1 },
        state({
          round: 4,
          calls: { xtb: 19 },
          cpuSeconds: 3599,
          best: best(9.9),
          roundsWithoutImprovement: 2,
        }),
      ),
    ).toBeUndefined();
  });

  it('stops when the rounds are spent', () => {
    const limits: Limits = { rounds: 3, calls: {} };
    expect(stopReason(config(), limits, state({ round: 2 }))).toBeUndefined();
    expect(stopReason(config(), limits, state({ round: 3 }))).toBe('round budget spent (3 rounds)');
  });

  it('stops when any tier has used its calls, naming that tier', () => {
    const limits: Limits = { rounds: 10, calls: { xtb: 30, 'xtb-opt': 5 } };
    expect(stopReason(config(), limits, state({ calls: { xtb: 29, 'xtb-opt': 4 } }))).toBeUndefined();
    expect(stopReason(config(), limits, state({ calls: { xtb: 29, 'xtb-opt': 5 } }))).toBe(
      'call budget for tier xtb-opt spent (5 calls)',
    );
    expect(stopReason(config(), limits, state({ calls: { xtb: 31 } }))).toBe(
      'call budget for tier xtb spent (30 calls)',
    );
  });

  it('a tier with no call limit never stops the campaign by its calls', () => {
    expect(
      stopReason(config(), { rounds: 10, calls: { xtb: 5 } }, state({ calls: { 'xtb-opt': 1e6 } })),
    ).toBe(undefined);
  });

  it('a call limit of zero stops before the first call', () => {
    expect(stopReason(config(), { rounds: 10, calls: { xtb: 0 } }, state())).toBe(
      'call budget for tier xtb spent (0 calls)',
    );
  });

  it('stops when the CPU hours are spent', () => {
    const limits: Limits = { rounds: 10, calls: {}, cpuHours: 0.5 };
    expect(stopReason(config(), limits, state({ cpuSeconds: 1799 }))).toBeUndefined();
    expect(stopReason(config(), limits, state({ cpuSeconds: 1800 }))).toBe(
      'CPU budget spent (0.5 CPU-hours)',
    );
    // no CPU limit: any amount goes
    expect(stopReason(config(), roomy, state({ cpuSeconds: 1e9 }))).toBeUndefined();
  });

  it('stops when a maximised target is reached (at or above it)', () => {
    const c = config({ stopping: { target: 5 } });
    expect(stopReason(c, roomy, state())).toBeUndefined(); // no best yet
    expect(stopReason(c, roomy, state({ best: best(4.99) }))).toBeUndefined();
    expect(stopReason(c, roomy, state({ best: best(5) }))).toBe('target reached (5 vs 5)');
    expect(stopReason(c, roomy, state({ best: best(6.5) }))).toBe('target reached (6.5 vs 5)');
  });

  it('stops when a minimised target is reached (at or below it)', () => {
    const c = config({
      objective: { property: 'totalEnergy', direction: 'minimize' },
      stopping: { target: -10 },
    });
    expect(stopReason(c, roomy, state({ best: best(-9.5) }))).toBeUndefined();
    expect(stopReason(c, roomy, state({ best: best(-10) }))).toBe('target reached (-10 vs -10)');
    expect(stopReason(c, roomy, state({ best: best(-12) }))).toBe('target reached (-12 vs -10)');
    // above the target is not reached when minimising
    expect(stopReason(c, roomy, state({ best: best(50) }))).toBeUndefined();
  });

  it('stops after `patience` rounds without improvement', () => {
    const c = config({ stopping: { patience: 2 } });
    expect(stopReason(c, roomy, state({ roundsWithoutImprovement: 1 }))).toBeUndefined();
    expect(stopReason(c, roomy, state({ roundsWithoutImprovement: 2 }))).toBe('no improvement for 2 rounds');
    // without patience, stagnation alone never stops a campaign
    expect(stopReason(config(), roomy, state({ roundsWithoutImprovement: 1000 }))).toBeUndefined();
  });

  it('reports the budget before the stopping rules when several apply', () => {
    const c = config({ stopping: { patience: 1, target: 1 } });
    const s = state({ round: 3, best: best(2), roundsWithoutImprovement: 5 });
    expect(stopReason(c, { rounds: 3, calls: {} }, s)).toBe('round budget spent (3 rounds)');
    expect(stopReason(c, roomy, s)).toBe('target reached (2 vs 1)');
  });
});

describe('isImprovement', () => {
  it('anything beats no best at all', () => {
    expect(isImprovement(config(), undefined, -1e9)).toBe(true);
  });

  it('maximising: only a larger value improves', () => {
    const c = config();
    expect(isImprovement(c, 2, 2.0001)).toBe(true);
    expect(isImprovement(c, 2, 2)).toBe(false);
    expect(isImprovement(c, 2, 1.5)).toBe(false);
  });

  it('minimising: only a smaller value improves', () => {
    const c = config({ objective: { property: 'totalEnergy', direction: 'minimize' } });
    expect(isImprovement(c, -5, -5.0001)).toBe(true);
    expect(isImprovement(c, -5, -5)).toBe(false);
    expect(isImprovement(c, -5, -4)).toBe(false);
  });

  it('with minImprovement, the gain must exceed it', () => {
    const max = config({ stopping: { minImprovement: 0.25 } });
    expect(isImprovement(max, 1, 1.2)).toBe(false);
    expect(isImprovement(max, 1, 1.25)).toBe(false); // equal to the threshold is not more than it
    expect(isImprovement(max, 1, 1.3)).toBe(true);
    const min = config({
      objective: { property: 'totalEnergy', direction: 'minimize' },
      stopping: { minImprovement: 0.25 },
    });
    expect(isImprovement(min, 1, 0.8)).toBe(false);
    expect(isImprovement(min, 1, 0.7)).toBe(true);
    expect(isImprovement(min, 1, 1.3)).toBe(false);
  });
});

describe('limitsFromConfig', () => {
  it('copies the budget', () => {
    const c = config({ budget: { rounds: 4, callsPerTier: { xtb: 12 }, cpuHours: 2 } });
    expect(limitsFromConfig(c)).toEqual({ rounds: 4, calls: { xtb: 12 }, cpuHours: 2 });
  });

  it('uses the defaults: 10 rounds, no call or CPU limit', () => {
    expect(limitsFromConfig(config())).toEqual({ rounds: 10, calls: {}, cpuHours: undefined });
  });

  it('returns a copy: changing the limits does not change the config', () => {
    const c = config({ budget: { rounds: 4, callsPerTier: { xtb: 12 } } });
    limitsFromConfig(c).calls.xtb = 99;
    expect(c.budget.callsPerTier.xtb).toBe(12);
  });
});

describe('extendLimits', () => {
  const spent = state({ round: 3, calls: { xtb: 20, 'xtb-opt': 4 }, cpuSeconds: 7200 });

  it("adds the config's budget to what was spent when no new budget is given", () => {
    const c = config({ budget: { rounds: 2, callsPerTier: { xtb: 10 }, cpuHours: 1 } });
    const limits = extendLimits(spent, {}, c);
    expect(limits).toEqual({ rounds: 5, calls: { xtb: 30 }, cpuHours: 3 });
    // a resumed campaign is not stopped at once by the budget it already spent
    expect(stopReason(c, limits, spent)).toBeUndefined();
  });

  it('adds the budget given on the command line instead', () => {
    const c = config({ budget: { rounds: 2, callsPerTier: { xtb: 10 }, cpuHours: 1 } });
    expect(extendLimits(spent, { rounds: 1, calls: 6, cpuHours: 0.5 }, c)).toEqual({
      rounds: 4,
      calls: { xtb: 26, 'xtb-opt': 10 },
      cpuHours: 2.5,
    });
  });

  it('a tier without a call limit stays unlimited, and no CPU limit stays none', () => {
    const c = config({ budget: { rounds: 2, callsPerTier: { xtb: 10 } } });
    const limits = extendLimits(spent, { rounds: 1 }, c);
    expect(limits.calls).toEqual({ xtb: 30 });
    expect('xtb-opt' in limits.calls).toBe(false);
    expect(limits.cpuHours).toBeUndefined();
    expect(stopReason(c, limits, { ...spent, calls: { xtb: 29, 'xtb-opt': 1e6 }, cpuSeconds: 1e9 })).toBe(
      undefined,
    );
  });

  it('a CPU limit given only on resume counts from what was spent', () => {
    expect(extendLimits(spent, { cpuHours: 0.25 }, config()).cpuHours).toBe(2.25);
  });

  it('starts from zero for a tier that has not run yet', () => {
    const c = config({ budget: { rounds: 2, callsPerTier: { xtb: 10, 'xtb-opt': 3 } } });
    expect(extendLimits(state({ round: 1, calls: { xtb: 4 } }), {}, c).calls).toEqual({
      xtb: 14,
      'xtb-opt': 3,
    });
  });
});

describe('energy and carbon budgets', () => {
  // 1 kWh = 3.6e6 J; at 500 g/kWh, 1.8e6 J = 0.5 kWh = 250 g = 0.25 kg CO2e
  const c = config({
    budget: { rounds: 100, energyKWh: 0.5, co2eKg: 0.3 },
    accounting: { carbonIntensity: 500 },
  });

  it('stops when the energy budget is spent, saying which budget', () => {
    const limits = limitsFromConfig(c);
    expect(limits.energyKWh).toBe(0.5);
    expect(stopReason(c, limits, state({ energyJoules: 1.79e6 }))).toBeUndefined();
    expect(stopReason(c, limits, state({ energyJoules: 1.8e6 }))).toBe('energy budget spent (0.5 kWh)');
  });

  it('stops when the carbon budget is spent, at the campaign intensity', () => {
    const carbonOnly = config({ budget: { co2eKg: 0.25 }, accounting: { carbonIntensity: 500 } });
    const limits = limitsFromConfig(carbonOnly);
    expect(stopReason(carbonOnly, limits, state({ energyJoules: 1.79e6 }))).toBeUndefined();
    expect(stopReason(carbonOnly, limits, state({ energyJoules: 1.8e6 }))).toBe(
      'carbon budget spent (0.25 kg CO2e at 500 g/kWh)',
    );
    // the default intensity (475 g/kWh) needs more energy for the same emissions: 0.25 kg / 0.475 kg/kWh
    const byDefault = config({ budget: { co2eKg: 0.25 } });
    const joules = (0.25 / 0.475) * 3.6e6;
    expect(
      stopReason(byDefault, limitsFromConfig(byDefault), state({ energyJoules: joules * 0.99 })),
    ).toBeUndefined();
    expect(
      stopReason(byDefault, limitsFromConfig(byDefault), state({ energyJoules: joules * 1.01 })),
    ).toMatch(/^carbon budget spent/);
  });

  it('resume adds energy and carbon to what was spent', () => {
    const s = state({ energyJoules: 3.6e6 }); // 1 kWh, 0.5 kg at 500 g/kWh
    const more = extendLimits(s, { energyKWh: 0.25, co2eKg: 0.1 }, c);
    expect(more.energyKWh).toBeCloseTo(1.25, 12);
    expect(more.co2eKg).toBeCloseTo(0.6, 12);
    // without options, the config's figures are added again
    const again = extendLimits(s, {}, c);
    expect(again.energyKWh).toBeCloseTo(1.5, 12);
    expect(again.co2eKg).toBeCloseTo(0.8, 12);
    // a campaign without energy budgets gets none
    expect(extendLimits(s, {}, config()).energyKWh).toBeUndefined();
  });
});
