/**
 * The read model of a campaign beyond the workflow's summary, shared by `cascade status` (and the report to
 * come): top candidates, resources by activity, the basis ladders' savings and what brute force would have cost,
 * read through the Store.
 */
import { usageOf } from '../activities/usage.js';
import { barOf, classText, hitsAmong, isClassObjective } from '../lib/campaign/class-objective.js';
import {
  type Counterfactual,
  counterfactual,
  type SurrogateOutlook,
  type TierMeasurements,
} from '../lib/campaign/counterfactual.js';
import { constraintsOf, feasible } from '../lib/campaign/objectives.js';
import { type CampaignConfig, tierName } from '../lib/campaign/schema.js';
import { identity } from '../lib/domain/candidate.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { rank, valueOf } from '../lib/domain/objective.js';
import { carbonIntensity } from '../lib/energy/carbon.js';
import { connectSettings } from '../lib/temporal/connection.js';
import { campaignWorkflowId } from '../lib/temporal/queues.js';
import type { LadderSavings, RankedEvaluation, Store } from '../store/store.js';
import { type ResourceLine, type TopCandidate, UNITS } from './format.js';

/** The ladders' savings, with the energy the saved CPU time would have cost. */
export type LadderView = LadderSavings & { savedJoules: number };

export interface StoreView {
  top: TopCandidate[];
  resources: ResourceLine[];
  unit: string;
  basisLadder?: LadderView;
  /** What brute force would have cost and found, against the campaign (absent before the pool is prepared). */
  counterfactual?: Counterfactual;
  /** The grid carbon intensity the campaign's emissions are counted at, and where it came from. */
  carbon?: { gramsPerKWh: number; source: string };
  /** A class objective: the hits at the last tier (that meet the constraints), and the class in words. */
  hits?: { count: number; of: string };
}

/**
 * The best n results at the top tier among those that meet the campaign's constraints (an infeasible result is
 * never the best, as in the workflow); without constraints, the store's ranking.
 */
async function topFeasible(
  store: Store,
  name: string,
  tier: string,
  config: CampaignConfig,
  n: number,
): Promise<RankedEvaluation[]> {
  if (constraintsOf(config).length === 0) return store.topEvaluations(name, tier, config.objective, n);
  const ok = (await store.listEvaluations(name, tier)).filter(
    (e) => e.status === 'ok' && e.value !== undefined && feasible(config, e.values),
  );
  const best = rank(config.objective, ok, (e) => e.value).slice(0, n);
  const candidates = new Map(
    (
      await store.getCandidates(
        name,
        best.map((e) => e.idx),
      )
    ).map((c) => [c.idx, c]),
  );
  return best.flatMap((e) => {
    const c = candidates.get(e.idx);
    return c
      ? [{ idx: e.idx, label: c.label, identity: identity(c), kind: c.kind, value: e.value as number }]
      : [];
  });
}

export async function storeView(store: Store, name: string, n = 10): Promise<StoreView> {
  const c = await store.getCampaign(name);
  if (!c) return { top: [], resources: [], unit: '' };
  const tier = tierName(c.config.tiers[c.config.tiers.length - 1] as (typeof c.config.tiers)[number]);
  const ladder = await store.ladderSavings(name);
  const resources = await store.ledgerTotals(name);
  const bruteForce = await counterfactualView(store, name, c.config, resources);
  return {
    top: await topFeasible(store, name, tier, c.config, n),
    resources,
    unit: UNITS[c.config.objective.property] ?? '',
    ...(ladder
      ? {
          basisLadder: {
            ...ladder,
            savedJoules: usageOf({ cpuSeconds: ladder.savedCpuSeconds, wallSeconds: 0 }).energyJoules,
          },
        }
      : {}),
    ...(bruteForce ? { counterfactual: bruteForce } : {}),
    carbon: carbonOf(c.config),
    ...(isClassObjective(c.config.objective) ? { hits: await hitsView(store, name, tier, c.config) } : {}),
  };
}

/** A class objective's hits, counted from the store's last-tier results as the workflow counts them. */
async function hitsView(
  store: Store,
  name: string,
  tier: string,
  config: CampaignConfig,
): Promise<{ count: number; of: string }> {
  const results = await store.listEvaluations(name, tier);
  return {
    count: hitsAmong(config.objective, results, (e) => feasible(config, e.values)),
    of: classText(config.objective),
  };
}

/** The campaign's carbon intensity: its own (set in its file, or fixed at launch from the environment), else the default. */
function carbonOf(config: CampaignConfig): { gramsPerKWh: number; source: string } {
  const own = config.accounting?.carbonIntensity;
  return own !== undefined
    ? { gramsPerKWh: own, source: `${own} g/kWh (the campaign's accounting.carbonIntensity)` }
    : carbonIntensity({});
}

/** Brute force against the campaign: the measured costs per tier, the top tier's results, the latest surrogate. */
async function counterfactualView(
  store: Store,
  name: string,
  config: CampaignConfig,
  actual: ResourceLine[],
): Promise<Counterfactual | undefined> {
  const poolSize = await store.countCandidates(name);
  if (poolSize === 0) return undefined;
  const measured = new Map((await store.tierCosts(name)).map((t) => [t.tier, t]));
  const tiers: TierMeasurements[] = config.tiers.map((t) => {
    const m = measured.get(tierName(t));
    return {
      tier: tierName(t),
      calls: m?.calls ?? 0,
      costs: m?.costs ?? [],
      withGeometry: m?.withGeometry ?? false,
    };
  });
  const topTier = tiers[tiers.length - 1]?.tier ?? '';
  const topValues = (await store.listEvaluations(name, topTier)).flatMap((e) => {
    const v = e.status === 'ok' ? valueOf(config.objective, e) : undefined;
    return v === undefined ? [] : [v];
  });
  // a class objective's hits are its class (its target counts them); a bar is what a hit reaches
  const target = isClassObjective(config.objective) ? barOf(config.objective) : config.stopping?.target;
  return counterfactual({
    poolSize,
    tiers,
    actual,
    objective: config.objective,
    ...(target !== undefined ? { target } : {}),
    // campaigns launched before accounting.hitsTopK existed stored no accounting
    hitsTopK: config.accounting?.hitsTopK ?? 10,
    topValues,
    // only a target needs the surrogate: with top-k, brute force's hits are k by definition
    ...(target !== undefined
      ? {
          surrogate: isClassObjective(config.objective)
            ? { unavailable: 'the class model predicts the chance of a hit, not values' }
            : await surrogateOutlook(store, name, topTier),
        }
      : {}),
  });
}

/** The latest surrogate's predictions of the top tier for the candidates without a result there. */
async function surrogateOutlook(store: Store, name: string, topTier: string): Promise<SurrogateOutlook> {
  const model = await store.latestModel(name);
  if (!model) return { unavailable: 'no surrogate trained yet' };
  const learned = model.description.labelTier;
  // a surrogate of a cheaper tier predicts that tier's values, not the top tier's
  if (learned !== topTier)
    return { unavailable: `the latest surrogate learned ${learned ?? 'an unrecorded tier'}, not ${topTier}` };
  return { predictions: await store.unevaluatedPredictions(name, model.id, topTier) };
}

/** The Web UI page of a campaign: `$CASCADE_UI_URL`, else the embedded server's UI. */
export function webUiUrl(name: string): string {
  const s = connectSettings();
  const base = process.env.CASCADE_UI_URL ?? (s.local ? 'http://localhost:8233' : undefined);
  return base
    ? `${base}/namespaces/${s.namespace}/workflows/${campaignWorkflowId(name)}`
    : `workflow ${campaignWorkflowId(name)} in namespace ${s.namespace}`;
}
