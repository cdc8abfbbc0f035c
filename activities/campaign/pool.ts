/** preparePool: reads the candidate file, canonicalises and filters with RDKit, and stores the pool. */
import { heartbeat } from '@temporalio/activity';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { describeMolecule } from '../chem/rdkit.js';
import { readCandidates } from '../pool/read.js';
import { getCampaign, type PoolSummary, setPoolSummary } from '../store/campaigns.js';
import { type CandidateRow, countCandidates, insertCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { yieldToEventLoop } from './yield.js';

export async function preparePool(args: {
  campaignId: string;
  config: CampaignConfig;
}): Promise<PoolSummary> {
  const db = openStore();
  const existing = getCampaign(db, args.campaignId)?.pool;
  if (
    existing &&
    existing.source === args.config.candidates.source &&
    countCandidates(db, args.campaignId) === existing.kept
  ) {
    return existing; // a retried or resumed campaign keeps its pool (and its candidate numbering)
  }
  const c = args.config.candidates;
  const raw = await readCandidates(c);
  const f = c.filters;
  const allowed = f.elements ? new Set([...f.elements, 'H']) : undefined;
  const rejected: Record<string, number> = {};
  const reject = (why: string) => {
    rejected[why] = (rejected[why] ?? 0) + 1;
  };
  const seen = new Set<string>();
  const rows: CandidateRow[] = [];
  for (const [i, r] of raw.entries()) {
    if (c.limit !== undefined && rows.length >= c.limit) break;
    if (i % 200 === 0) {
      heartbeat({ read: i, kept: rows.length });
      await yieldToEventLoop(); // RDKit calls are synchronous: let heartbeats and other activities breathe
    }
    const m = await describeMolecule(r.molecule);
    if (!m) reject('unparseable');
    else if (f.singleFragment && m.fragments > 1) reject('several fragments');
    else if (f.neutralOnly && m.formalCharge !== 0) reject('charged');
    else if (m.heavyAtoms > f.maxHeavyAtoms) reject('too many heavy atoms');
    else if (m.heavyAtoms < f.minHeavyAtoms) reject('too few heavy atoms');
    else if (allowed && m.elements.some((e) => !allowed.has(e))) reject('element not allowed');
    else if (seen.has(m.canonical)) reject('duplicate');
    else {
      seen.add(m.canonical);
      rows.push({ idx: rows.length, label: r.label, smiles: m.canonical, heavyAtoms: m.heavyAtoms });
    }
  }
  insertCandidates(db, args.campaignId, rows);
  const summary: PoolSummary = { source: c.source, read: raw.length, kept: rows.length, rejected };
  setPoolSummary(db, args.campaignId, summary);
  return summary;
}
