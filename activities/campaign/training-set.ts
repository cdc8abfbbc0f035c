/**
 * What the surrogate learns at a retrain. Direct: the highest tier with enough results (early on, or with a
 * strict promotion rule, the top tier has few, and a cheaper tier's ranking is a better guide than none).
 * Delta (`surrogate.fidelity: delta`): the top tier as the tier below it plus a learned correction, once
 * enough candidates have results at both; until then, direct.
 */
import { type CampaignConfig, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import type { EvaluationRecord, Store } from '../../store/store.js';

/** Fewer labels than this and a surrogate's spread means nothing: acquisition stays random. */
export const MIN_LABELS = 4;

export type Labelled = EvaluationRecord & { value: number };

export type TrainingSet =
  | { fidelity: 'direct'; labelTier: string; labelled: Labelled[]; note?: string }
  | {
      fidelity: 'delta';
      labelTier: string;
      /** Top-tier results of candidates also computed at baseTier (what the correction learns). */
      labelled: Labelled[];
      baseTier: string;
      /** Every result at baseTier (what the base surrogate learns). */
      base: Labelled[];
    };

export async function trainingSet(
  store: Pick<Store, 'listEvaluations'>,
  campaignId: string,
  config: Pick<CampaignConfig, 'surrogate' | 'tiers'>,
): Promise<TrainingSet | undefined> {
  const evaluations = await store.listEvaluations(campaignId);
  const ok = (tier: TierConfig) =>
    evaluations.filter(
      (e): e is Labelled => e.tier === tierName(tier) && e.status === 'ok' && e.value !== undefined,
    );
  let note: string | undefined;
  if (config.surrogate.fidelity === 'delta' && config.tiers.length >= 2) {
    const top = config.tiers[config.tiers.length - 1] as TierConfig;
    const below = config.tiers[config.tiers.length - 2] as TierConfig;
    const base = ok(below);
    const measured = new Set(base.map((e) => e.idx));
    const pairs = ok(top).filter((e) => measured.has(e.idx));
    if (pairs.length >= MIN_LABELS)
      return {
        fidelity: 'delta',
        labelTier: tierName(top),
        labelled: pairs,
        baseTier: tierName(below),
        base,
      };
    note = `delta needs ${MIN_LABELS} candidates with results at ${tierName(below)} and ${tierName(top)}; has ${pairs.length}`;
  }
  for (const tier of [...config.tiers].reverse()) {
    const labelled = ok(tier);
    if (labelled.length >= MIN_LABELS)
      return { fidelity: 'direct', labelTier: tierName(tier), labelled, note };
  }
  return undefined;
}

/**
 * What a surrogate for another property (a later objective, a constrained property) learns: that property's
 * values at the highest tier with enough of them. Direct only.
 */
export async function propertySet(
  store: Pick<Store, 'listEvaluations'>,
  campaignId: string,
  config: Pick<CampaignConfig, 'tiers'>,
  property: string,
): Promise<TrainingSet | undefined> {
  const evaluations = await store.listEvaluations(campaignId);
  for (const tier of [...config.tiers].reverse()) {
    const labelled: Labelled[] = [];
    for (const e of evaluations) {
      const v = e.values?.[property];
      if (e.tier === tierName(tier) && e.status === 'ok' && v !== undefined && Number.isFinite(v))
        labelled.push({ ...e, value: v });
    }
    if (labelled.length >= MIN_LABELS) return { fidelity: 'direct', labelTier: tierName(tier), labelled };
  }
  return undefined;
}
