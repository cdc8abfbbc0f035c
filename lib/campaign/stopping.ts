/** When a campaign stops: its budget (rounds, calls per tier, CPU hours, energy, CO2e) or its stopping rule. Pure. */
import { gain, reaches } from '../domain/objective.js';
import { JOULES_PER_KWH } from '../domain/units.js';
import { co2eKg, DEFAULT_CARBON_INTENSITY } from '../energy/carbon.js';
import { classText, isClassObjective } from './class-objective.js';
import type { CampaignState, Limits } from './progress.js';
import type { CampaignConfig } from './schema.js';
import { tierName } from './schema.js';

/** A class objective's round improved when it found more new hits than `stopping.minImprovement`. */
export function hitsImprove(config: CampaignConfig, found: number): boolean {
  return found > config.stopping.minImprovement;
}

export function isImprovement(config: CampaignConfig, best: number | undefined, candidate: number): boolean {
  if (best === undefined) return true;
  const g = gain(config.objective, best, candidate);
  return g > config.stopping.minImprovement || (config.stopping.minImprovement === 0 && g > 0);
}

/** Why the campaign should stop now, or undefined to go on. */
export function stopReason(config: CampaignConfig, limits: Limits, s: CampaignState): string | undefined {
  if (s.round >= limits.rounds) return `round budget spent (${limits.rounds} rounds)`;
  for (const t of config.tiers) {
    const name = tierName(t);
    const limit = limits.calls[name];
    if (limit !== undefined && (s.calls[name] ?? 0) >= limit)
      return `call budget for tier ${name} spent (${limit} calls)`;
  }
  if (limits.cpuHours !== undefined && s.cpuSeconds / 3600 >= limits.cpuHours) {
    return `CPU budget spent (${limits.cpuHours} CPU-hours)`;
  }
  if (limits.energyKWh !== undefined && s.energyJoules / JOULES_PER_KWH >= limits.energyKWh) {
    return `energy budget spent (${limits.energyKWh} kWh)`;
  }
  if (limits.co2eKg !== undefined) {
    const intensity = campaignCarbonIntensity(config);
    if (co2eKg(s.energyJoules, intensity) >= limits.co2eKg) {
      return `carbon budget spent (${limits.co2eKg} kg CO2e at ${intensity} g/kWh)`;
    }
  }
  const { target, patience } = config.stopping;
  if (target !== undefined && isClassObjective(config.objective)) {
    if ((s.hits ?? 0) >= target) return `target reached (${s.hits} hits of ${classText(config.objective)})`;
  } else if (target !== undefined && s.best && reaches(config.objective, s.best.value, target)) {
    return `target reached (${s.best.value} vs ${target})`;
  }
  if (patience !== undefined && s.roundsWithoutImprovement >= patience) {
    return s.front
      ? `the Pareto front's hypervolume did not grow for ${patience} rounds`
      : isClassObjective(config.objective)
        ? `no new hit for ${patience} rounds`
        : `no improvement for ${patience} rounds`;
  }
  return undefined;
}

/** The limits a fresh launch gets from its config. */
export function limitsFromConfig(config: CampaignConfig): Limits {
  return {
    rounds: config.budget.rounds,
    calls: { ...config.budget.callsPerTier },
    cpuHours: config.budget.cpuHours,
    ...(config.budget.energyKWh !== undefined ? { energyKWh: config.budget.energyKWh } : {}),
    ...(config.budget.co2eKg !== undefined ? { co2eKg: config.budget.co2eKg } : {}),
  };
}

/** What `cascade resume` may add to a campaign's budget. */
export interface ExtraBudget {
  rounds?: number;
  calls?: number;
  cpuHours?: number;
  energyKWh?: number;
  co2eKg?: number;
}

/**
 * `cascade resume --rounds/--calls/--cpu-hours/--energy-kwh/--co2e-kg`: the new budget is added to what the
 * campaign has spent (the config's own figure when the option is not given).
 */
export function extendLimits(s: CampaignState, extra: ExtraBudget, config: CampaignConfig): Limits {
  const calls: Record<string, number> = {};
  for (const t of config.tiers) {
    const name = tierName(t);
    const spent = s.calls[name] ?? 0;
    const more = extra.calls ?? config.budget.callsPerTier[name];
    if (more !== undefined) calls[name] = spent + more;
  }
  return {
    rounds: s.round + (extra.rounds ?? config.budget.rounds),
    calls,
    cpuHours:
      extra.cpuHours !== undefined || config.budget.cpuHours !== undefined
        ? s.cpuSeconds / 3600 + (extra.cpuHours ?? config.budget.cpuHours ?? 0)
        : undefined,
    ...(extra.energyKWh !== undefined || config.budget.energyKWh !== undefined
      ? { energyKWh: s.energyJoules / JOULES_PER_KWH + (extra.energyKWh ?? config.budget.energyKWh ?? 0) }
      : {}),
    ...(extra.co2eKg !== undefined || config.budget.co2eKg !== undefined
      ? {
          co2eKg:
            co2eKg(s.energyJoules, campaignCarbonIntensity(config)) +
            (extra.co2eKg ?? config.budget.co2eKg ?? 0),
        }
      : {}),
  };
}

/** The grid carbon intensity a campaign's emissions are counted at (gCO2e/kWh): its own, else the default. */
export function campaignCarbonIntensity(config: Pick<CampaignConfig, 'accounting'>): number {
  return config.accounting?.carbonIntensity ?? DEFAULT_CARBON_INTENSITY;
}
