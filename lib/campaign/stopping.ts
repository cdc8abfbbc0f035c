/** When a campaign stops: its budget (rounds, calls per tier, CPU hours) or its stopping rule. Pure. */
import { gain, reaches } from '../domain/objective.js';
import type { CampaignState, Limits } from './progress.js';
import type { CampaignConfig } from './schema.js';
import { tierName } from './schema.js';

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
  const { target, patience } = config.stopping;
  if (target !== undefined && s.best && reaches(config.objective, s.best.value, target)) {
    return `target reached (${s.best.value} vs ${target})`;
  }
  if (patience !== undefined && s.roundsWithoutImprovement >= patience) {
    return `no improvement for ${patience} rounds`;
  }
  return undefined;
}

/** The limits a fresh launch gets from its config. */
export function limitsFromConfig(config: CampaignConfig): Limits {
  return {
    rounds: config.budget.rounds,
    calls: { ...config.budget.callsPerTier },
    cpuHours: config.budget.cpuHours,
  };
}

/** `cascade resume --rounds/--calls/--cpu-hours`: the new budget is added to what the campaign has spent. */
export function extendLimits(
  s: CampaignState,
  extra: { rounds?: number; calls?: number; cpuHours?: number },
  config: CampaignConfig,
): Limits {
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
  };
}
