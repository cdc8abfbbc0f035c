/**
 * A replayed campaign's figures against its pool's truth and brute force, and their medians over seeds.
 */
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { tierName } from '../../lib/campaign/schema.js';
import type { ObjectiveSpec } from '../../lib/domain/objective.js';
import {
  bruteForceJoules,
  discoveryArea,
  discoveryCurve,
  enrichmentFactor,
  hitsFound,
  hitsPerKWh,
  kWh,
  type MoleculeCost,
  median,
  trueTop,
} from './metrics.js';
import type { LabelledPool } from './pool.js';
import type { ReplayOutcome } from './replay.js';

/** What every campaign on a pool is measured against. */
export interface Truth {
  poolSize: number;
  /** Molecules with a value at the top tier. */
  ok: number;
  top: Set<number>;
  /** Brute force: every molecule at tier 1, and at every tier (the same for a one-tier pool). */
  bruteTier1: { kWh: number };
  bruteAll: { kWh: number; hitsPerKWh: number };
}

export function truthOf(pool: LabelledPool, objective: ObjectiveSpec): Truth {
  const topTier = pool.tiers.at(-1) as string;
  const scored = pool.molecules.flatMap((m, idx) => {
    const l = m.labels[topTier];
    const value = l?.status === 'ok' ? l.values[objective.property] : undefined;
    return value === undefined ? [] : [{ idx, value }];
  });
  const top = trueTop(scored, objective);
  const costs: MoleculeCost[] = pool.molecules.map((m) => ({
    geometryJoules: m.geometry.energyJoules,
    tierJoules: Object.fromEntries(Object.entries(m.labels).map(([t, l]) => [t, l.usage.energyJoules])),
  }));
  const all = bruteForceJoules(costs, pool.tiers);
  return {
    poolSize: pool.molecules.length,
    ok: scored.length,
    top,
    bruteTier1: { kWh: kWh(bruteForceJoules(costs, pool.tiers.slice(0, 1))) },
    bruteAll: { kWh: kWh(all), hitsPerKWh: hitsPerKWh(top.size, all) },
  };
}

export interface CampaignFigures {
  surrogate: string;
  strategy: string;
  seed: number;
  rounds: number;
  stopReason?: string;
  /** Calls by tier name. */
  calls: Record<string, number>;
  found: number;
  foundFraction: number;
  /** Of the top, the fraction found within the first half of the top tier's calls (5% of the pool for (a)). */
  foundAtHalfBudget: number;
  /** The discovery curve's area over a perfect campaign's (metrics.ts discoveryArea). */
  discoveryArea: number;
  enrichment: number;
  /** The top tier's calls as a fraction of the pool. */
  topTierCallsFraction: number;
  /** CPU seconds and kWh by activity. */
  cpuSeconds: Record<string, number>;
  kWhByActivity: Record<string, number>;
  kWh: number;
  /** The campaign's energy over brute force at tier 1, and at every tier. */
  vsBruteTier1: number;
  vsBruteAll: number;
  hitsPerKWh: number;
  /** Training and screening CPU per fit (the surrogate's cost per round that trained). */
  trainCpuPerFit: number;
  wallSeconds: number;
}

export function figuresOf(config: CampaignConfig, outcome: ReplayOutcome, truth: Truth): CampaignFigures {
  const names = config.tiers.map(tierName);
  const topTier = names.at(-1) as string;
  const calls = Object.fromEntries(
    names.map((t) => [t, outcome.evaluations.filter((e) => e.tier === t).length]),
  );
  const atTop = outcome.evaluations.filter((e) => e.tier === topTier).map((e) => e.idx);
  const found = hitsFound(truth.top, atTop);
  const curve = discoveryCurve(truth.top, atTop);
  const half = curve[Math.floor(curve.length / 2) - 1] ?? 0;
  const cpuSeconds: Record<string, number> = {};
  const kWhByActivity: Record<string, number> = {};
  let joules = 0;
  for (const [activity, usage] of outcome.byActivity) {
    cpuSeconds[activity] = usage.cpuSeconds;
    kWhByActivity[activity] = kWh(usage.energyJoules);
    joules += usage.energyJoules;
  }
  const total = kWh(joules);
  return {
    surrogate: config.surrogate.kind,
    strategy: config.acquisition.strategy,
    seed: config.seed,
    rounds: outcome.rounds,
    ...(outcome.stopReason ? { stopReason: outcome.stopReason } : {}),
    calls,
    found,
    foundFraction: truth.top.size === 0 ? Number.NaN : found / truth.top.size,
    foundAtHalfBudget: truth.top.size === 0 ? Number.NaN : half / truth.top.size,
    discoveryArea: discoveryArea(curve, truth.top.size),
    enrichment: enrichmentFactor({
      found,
      top: truth.top.size,
      evaluated: new Set(atTop).size,
      poolSize: truth.poolSize,
    }),
    topTierCallsFraction: (calls[topTier] ?? 0) / truth.poolSize,
    cpuSeconds,
    kWhByActivity,
    kWh: total,
    vsBruteTier1: total / truth.bruteTier1.kWh,
    vsBruteAll: total / truth.bruteAll.kWh,
    hitsPerKWh: hitsPerKWh(found, joules),
    trainCpuPerFit: outcome.fits === 0 ? Number.NaN : (cpuSeconds['ml:train+screen'] ?? 0) / outcome.fits,
    wallSeconds: outcome.wallSeconds,
  };
}

/** The medians over seeds of one surrogate and strategy. */
export interface Medians {
  surrogate: string;
  strategy: string;
  seeds: number;
  found: number;
  foundFraction: number;
  foundAtHalfBudget: number;
  discoveryArea: number;
  enrichment: number;
  topTierCallsFraction: number;
  cpuSeconds: Record<string, number>;
  kWh: number;
  vsBruteTier1: number;
  vsBruteAll: number;
  hitsPerKWh: number;
  trainCpuPerFit: number;
  wallSeconds: number;
}

export function mediansOf(runs: readonly CampaignFigures[]): Medians[] {
  const groups = new Map<string, CampaignFigures[]>();
  for (const r of runs) {
    const key = `${r.surrogate}\0${r.strategy}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const m = (f: (r: CampaignFigures) => number) => median(g.map(f));
    const activities = [...new Set(g.flatMap((r) => Object.keys(r.cpuSeconds)))];
    const first = g[0] as CampaignFigures;
    return {
      surrogate: first.surrogate,
      strategy: first.strategy,
      seeds: g.length,
      found: m((r) => r.found),
      foundFraction: m((r) => r.foundFraction),
      foundAtHalfBudget: m((r) => r.foundAtHalfBudget),
      discoveryArea: m((r) => r.discoveryArea),
      enrichment: m((r) => r.enrichment),
      topTierCallsFraction: m((r) => r.topTierCallsFraction),
      cpuSeconds: Object.fromEntries(activities.map((a) => [a, m((r) => r.cpuSeconds[a] ?? 0)])),
      kWh: m((r) => r.kWh),
      vsBruteTier1: m((r) => r.vsBruteTier1),
      vsBruteAll: m((r) => r.vsBruteAll),
      hitsPerKWh: m((r) => r.hitsPerKWh),
      trainCpuPerFit: m((r) => r.trainCpuPerFit),
      wallSeconds: m((r) => r.wallSeconds),
    };
  });
}

/**
 * The most of the top found (median), then the earliest found (the discovery curve's area), then the most hits
 * per kWh.
 */
export function bestOf(medians: readonly Medians[]): Medians | undefined {
  return [...medians].sort(
    (a, b) =>
      b.foundFraction - a.foundFraction || b.discoveryArea - a.discoveryArea || b.hitsPerKWh - a.hitsPerKWh,
  )[0];
}
