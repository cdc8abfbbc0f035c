/** Every campaign the Temporal namespace knows, from the search attributes each round upserts. */
import type { Client } from '@temporalio/client';
import * as attrs from '../lib/temporal/search-attributes.js';

export interface CampaignListing {
  campaign: string;
  workflowId: string;
  execution: string;
  status?: string;
  round?: number;
  evaluations?: number;
  bestValue?: number;
  cpuHours?: number;
  started: string;
}

export async function listCampaigns(client: Client, limit = 100): Promise<CampaignListing[]> {
  const out: CampaignListing[] = [];
  // one row per campaign: the latest run (continue-as-new and resume start new runs under the same id)
  const seen = new Set<string>();
  for await (const w of client.workflow.list({ query: "WorkflowType = 'CampaignWorkflow'" })) {
    if (seen.has(w.workflowId)) continue;
    seen.add(w.workflowId);
    const sa = w.typedSearchAttributes;
    out.push({
      campaign: sa.get(attrs.CAMPAIGN) ?? w.workflowId.replace(/^cascade-/, ''),
      workflowId: w.workflowId,
      execution: w.status.name,
      status: sa.get(attrs.STATUS),
      round: sa.get(attrs.ROUND),
      evaluations: sa.get(attrs.EVALUATIONS),
      bestValue: sa.get(attrs.BEST_VALUE),
      cpuHours: sa.get(attrs.CPU_HOURS),
      started: w.startTime.toISOString(),
    });
    if (out.length >= limit) break;
  }
  return out;
}

export function formatCampaignList(rows: CampaignListing[]): string {
  if (!rows.length) return 'no campaigns yet (launch one with: cascade launch FILE)';
  const head = `${'campaign'.padEnd(24)} ${'state'.padEnd(10)} ${'round'.padStart(5)} ${'calls'.padStart(6)} ${'best'.padStart(12)} ${'CPU h'.padStart(8)}  started`;
  const lines = rows.map((r) =>
    [
      r.campaign.padEnd(24),
      (r.execution === 'RUNNING' ? (r.status ?? 'running') : r.execution.toLowerCase()).padEnd(10),
      String(r.round ?? '-').padStart(5),
      String(r.evaluations ?? '-').padStart(6),
      (r.bestValue === undefined ? '-' : r.bestValue.toFixed(4)).padStart(12),
      (r.cpuHours === undefined ? '-' : r.cpuHours.toFixed(4)).padStart(8),
      ` ${r.started.slice(0, 19).replace('T', ' ')}`,
    ].join(' '),
  );
  return [head, ...lines].join('\n');
}
