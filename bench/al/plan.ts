/**
 * The campaigns the bench replays, as cascade campaign configs (parsed by the campaign schema, so every setting
 * not named here takes the default a user would get): the ladder read from the pool's labels, the budget per
 * tier, the batch, the surrogate and the strategy.
 *
 * Budget: one tier gets `budget` of the pool in calls; a ladder caps its top tier at `topTierBudget` of the
 * pool and gives each tier below as many calls as the promotion rule needs to feed the one above
 * (calls / promote.top). The calls of tier 1 are spread over `rounds` equal batches, the first one random
 * (`initialBatch` = `batchSize`, where a campaign's default would be twice the batch).
 */
import { readFileSync } from 'node:fs';
import { loadCampaign } from '../../lib/campaign/load.js';
import { CampaignConfig, type CampaignInput, type SurrogateConfig } from '../../lib/campaign/schema.js';
import type { SurrogateKind } from '../../lib/surrogate/kinds.js';

export interface PlanOptions {
  rounds: number;
  /** One tier: calls as a fraction of the pool. */
  budget: number;
  /** A ladder: the top tier's calls as a fraction of the pool. */
  topTierBudget: number;
  /** A ladder: the fraction of each tier's successes, best first, promoted to the next. */
  promoteTop: number;
}

export interface Plan {
  batchSize: number;
  rounds: number;
  /** By tier name. */
  calls: Record<string, number>;
}

export function planFor(poolSize: number, tiers: readonly string[], o: PlanOptions): Plan {
  const calls: Record<string, number> = {};
  if (tiers.length === 1) {
    calls[tiers[0] as string] = Math.max(1, Math.ceil(o.budget * poolSize));
  } else {
    const top = Math.max(1, Math.floor(o.topTierBudget * poolSize));
    tiers.forEach((t, i) => {
      calls[t] = Math.min(poolSize, Math.ceil(top / o.promoteTop ** (tiers.length - 1 - i)));
    });
  }
  const first = calls[tiers[0] as string] as number;
  return { batchSize: Math.max(1, Math.ceil(first / o.rounds)), rounds: o.rounds, calls };
}

export interface CampaignChoice {
  file: string;
  tiers: readonly string[];
  property: string;
  plan: Plan;
  promoteTop: number;
  surrogate: NonNullable<CampaignInput['surrogate']>;
  strategy: string;
  /** Rank by value per predicted CPU-second (acquisition.costAware). */
  costAware: boolean;
  seed: number;
  /** Several objectives (the first being `property`, maximised), in place of the one objective. */
  objectives?: CampaignInput['objectives'];
}

/** The campaign a user would write for this replay, defaults filled in by the schema. */
export function campaignConfig(c: CampaignChoice): CampaignConfig {
  return CampaignConfig.parse({
    name: 'bench-al',
    seed: c.seed,
    candidates: { source: c.file },
    ...(c.objectives
      ? { objectives: c.objectives }
      : { objective: { property: c.property, direction: 'maximize' } }),
    tiers: c.tiers.map((name, t) => ({
      name: tierNameFor(name),
      code: codeFor(name, t),
      ...(t > 0 ? { promote: { top: c.promoteTop } } : {}),
    })),
    surrogate: c.surrogate,
    acquisition: {
      strategy: c.strategy,
      batchSize: c.plan.batchSize,
      initialBatch: c.plan.batchSize,
      costAware: c.costAware,
    },
    budget: {
      rounds: c.plan.rounds,
      callsPerTier: Object.fromEntries(Object.entries(c.plan.calls).map(([t, n]) => [tierNameFor(t), n])),
    },
  });
}

/** A label file's tier key as a campaign tier name (lowercase letters, digits, ".", "_", "-"). */
export function tierNameFor(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

/**
 * No code runs here, so a tier's code only has to satisfy the schema: the key itself when it names one, else
 * xtb for the first tier and NWChem above it (the ladder the labels come from).
 */
function codeFor(key: string, t: number): 'xtb' | 'nwchem' {
  if (key === 'xtb' || key === 'nwchem') return key;
  return t === 0 ? 'xtb' : 'nwchem';
}

/**
 * Each surrogate kind's settings: the schema's defaults (features included: Morgan radius 2, 2048 bits and the
 * descriptors), except the MLP ensemble's size, layers, epochs and learning rate, taken from configs/demo.yaml
 * (the small settings a 2-core machine trains in seconds).
 */
export function surrogateSettings(
  kind: SurrogateKind,
  demoFile: string,
  extra: Pick<SurrogateConfig, 'fidelity' | 'policy'>,
): NonNullable<CampaignInput['surrogate']> {
  if (kind !== 'mlp-ensemble') return { kind, ...extra };
  const { config, problems } = loadCampaign(readFileSync(demoFile, 'utf8'), demoFile);
  if (!config) throw new Error(`${demoFile}: ${problems.map((p) => p.message).join('; ')}`);
  const { ensembleSize, hiddenLayers, epochs, learningRate } = config.surrogate;
  return { kind, ensembleSize, hiddenLayers, epochs, learningRate, ...extra };
}
