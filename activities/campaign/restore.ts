/** restoreCampaign: rebuilds a campaign's state from the store, for `cascade resume`. */
import { type CampaignState, freshState } from '../../lib/campaign/progress.js';
import { tierName } from '../../lib/campaign/schema.js';
import { getCampaign } from '../store/campaigns.js';
import { getCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { listEvaluations } from '../store/evaluations.js';
import { campaignTotals } from '../store/ledger.js';
import { latestModel } from '../store/models.js';

export async function restoreCampaign(args: { campaignId: string }): Promise<CampaignState> {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  const { config } = campaign;
  const evaluations = listEvaluations(db, args.campaignId);
  const objectiveTier = tierName(config.tiers[config.tiers.length - 1] as (typeof config.tiers)[number]);
  const state = freshState({
    round: evaluations.reduce((m, e) => Math.max(m, e.round + 1), 0),
    ...campaignTotals(db, args.campaignId),
    poolSize: campaign.pool?.kept ?? 0,
  });
  const failedCandidates = new Set<number>();
  let best: { idx: number; value: number } | undefined;
  for (const e of evaluations) {
    state.calls[e.tier] = (state.calls[e.tier] ?? 0) + 1;
    if (e.status !== 'ok') failedCandidates.add(e.idx);
    if (e.tier === objectiveTier && e.status === 'ok' && e.value !== undefined) {
      const better =
        !best || (config.objective.direction === 'maximize' ? e.value > best.value : e.value < best.value);
      if (better) best = { idx: e.idx, value: e.value };
    }
  }
  state.failures = failedCandidates.size;
  if (best) {
    const [c] = getCandidates(db, args.campaignId, [best.idx]);
    if (c) state.best = { idx: c.idx, label: c.label, smiles: c.smiles, value: best.value };
  }
  const model = latestModel(db, args.campaignId);
  if (model) {
    state.lastModel = {
      id: model.id,
      backend: model.backend,
      trainedOn: Number(model.description.trainedOn ?? 0),
      labelTier: typeof model.description.labelTier === 'string' ? model.description.labelTier : undefined,
      ...(model.description.fidelity === 'delta'
        ? { fidelity: 'delta' as const, baseTier: String(model.description.baseTier) }
        : {}),
      metrics: model.metrics,
    };
  }
  return state;
}
