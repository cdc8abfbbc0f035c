/** What the store knows about a campaign beyond the workflow's summary: top candidates and resources. */
import { getCampaign } from '../activities/store/campaigns.js';
import { type LadderSavings, ladderSavings } from '../activities/store/cbs-ladders.js';
import { openStore } from '../activities/store/db.js';
import { topEvaluations } from '../activities/store/evaluations.js';
import { totals } from '../activities/store/ledger.js';
import { tierName } from '../lib/campaign/schema.js';
import { connectSettings } from '../lib/temporal/connection.js';
import { campaignWorkflowId } from '../lib/temporal/queues.js';
import { type ResourceLine, type TopCandidate, UNITS } from './format.js';

export function storeView(
  name: string,
  n = 10,
): { top: TopCandidate[]; resources: ResourceLine[]; unit: string; basisLadder?: LadderSavings } {
  const db = openStore();
  const c = getCampaign(db, name);
  if (!c) return { top: [], resources: [], unit: '' };
  const tier = tierName(c.config.tiers[c.config.tiers.length - 1] as (typeof c.config.tiers)[number]);
  return {
    top: topEvaluations(db, name, tier, c.config.objective.direction, n),
    resources: totals(db, name),
    unit: UNITS[c.config.objective.property] ?? '',
    basisLadder: ladderSavings(db, name),
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
