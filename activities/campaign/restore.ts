/** restoreCampaign: rebuilds a campaign's state from the store, for `cascade resume`. */
import { hitsAmong, isClassObjective } from '../../lib/campaign/class-objective.js';
import { feasible } from '../../lib/campaign/objectives.js';
import { type CampaignState, freshState } from '../../lib/campaign/progress.js';
import { type CampaignConfig, tierName } from '../../lib/campaign/schema.js';
import { identity } from '../../lib/domain/candidate.js';
import { pickBest } from '../../lib/domain/objective.js';
import type { Store } from '../../store/store.js';
import { measured } from '../usage.js';

export async function restoreCampaign(
  store: Store,
  args: { campaignId: string; config?: CampaignConfig },
): Promise<CampaignState> {
  const { value: state, usage } = await measured(() => rebuild(store, args));
  // what rebuilding cost is the campaign's too: in the ledger, and in the totals the workflow carries on from
  await store.record({ campaignId: args.campaignId, round: state.round, activity: 'restore', usage });
  state.cpuSeconds += usage.cpuSeconds;
  state.energyJoules += usage.energyJoules;
  return state;
}

async function rebuild(
  store: Store,
  args: { campaignId: string; config?: CampaignConfig },
): Promise<CampaignState> {
  const campaign = await store.getCampaign(args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  const config = args.config ?? campaign.config;
  const evaluations = await store.listEvaluations(args.campaignId);
  const objectiveTier = tierName(config.tiers[config.tiers.length - 1] as (typeof config.tiers)[number]);
  const state = freshState({
    round: evaluations.reduce((m, e) => Math.max(m, e.round + 1), 0),
    ...(await store.campaignTotals(args.campaignId)),
    poolSize: campaign.pool?.kept ?? 0,
  });
  const failedCandidates = new Set<number>();
  for (const e of evaluations) {
    state.calls[e.tier] = (state.calls[e.tier] ?? 0) + 1;
    if (e.status !== 'ok') failedCandidates.add(e.idx);
  }
  state.failures = failedCandidates.size;
  const atTop = evaluations.filter((e) => e.tier === objectiveTier);
  if (isClassObjective(config.objective))
    state.hits = hitsAmong(config.objective, atTop, (e) => feasible(config, e.values));
  const best = config.objective.succeeds
    ? undefined // a success is a hit, not a value to beat
    : pickBest(
        config.objective,
        atTop.filter((e) => e.status === 'ok'),
        (e) => e.value,
      );
  if (best?.value !== undefined) {
    const [c] = await store.getCandidates(args.campaignId, [best.idx]);
    if (c) state.best = { idx: c.idx, label: c.label, identity: identity(c), value: best.value };
  }
  const model = await store.latestModel(args.campaignId);
  if (model) {
    const d = model.description;
    state.lastModel = {
      id: model.id,
      backend: model.backend,
      trainedOn: d.trainedOn,
      labelTier: d.labelTier,
      ...(d.fidelity === 'delta' ? { fidelity: 'delta' as const, baseTier: d.baseTier } : {}),
      metrics: model.metrics,
    };
  }
  return state;
}
