/**
 * The read model of a campaign beyond the workflow's summary, shared by `cascade status` (and the report to
 * come): top candidates, resources by activity and the basis ladders' savings, read through the Store.
 */
import { estimatedJoules } from '../activities/usage.js';
import { tierName } from '../lib/campaign/schema.js';
import { connectSettings } from '../lib/temporal/connection.js';
import { campaignWorkflowId } from '../lib/temporal/queues.js';
import type { LadderSavings, Store } from '../store/store.js';
import { type ResourceLine, type TopCandidate, UNITS } from './format.js';

/** The ladders' savings, with the energy the saved CPU time would have cost. */
export type LadderView = LadderSavings & { savedJoules: number };

export interface StoreView {
  top: TopCandidate[];
  resources: ResourceLine[];
  unit: string;
  basisLadder?: LadderView;
}

export async function storeView(store: Store, name: string, n = 10): Promise<StoreView> {
  const c = await store.getCampaign(name);
  if (!c) return { top: [], resources: [], unit: '' };
  const tier = tierName(c.config.tiers[c.config.tiers.length - 1] as (typeof c.config.tiers)[number]);
  const ladder = await store.ladderSavings(name);
  return {
    top: await store.topEvaluations(name, tier, c.config.objective, n),
    resources: await store.ledgerTotals(name),
    unit: UNITS[c.config.objective.property] ?? '',
    ...(ladder ? { basisLadder: { ...ladder, savedJoules: estimatedJoules(ladder.savedCpuSeconds) } } : {}),
  };
}

/** The Web UI page of a campaign: `$CASCADE_UI_URL`, else the embedded server's UI. */
export function webUiUrl(name: string): string {
  const s = connectSettings();
  const base = process.env.CASCADE_UI_URL ?? (s.local ? 'http://localhost:8233' : undefined);
  return base
    ? `${base}/namespaces/${s.namespace}/workflows/${campaignWorkflowId(name)}`
    : `workflow ${campaignWorkflowId(name)} in namespace ${s.namespace}`;
}
