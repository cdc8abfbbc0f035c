/** preparePool: reads the candidate file, canonicalises and filters with RDKit, and stores the pool. */
import { heartbeat } from '@temporalio/activity';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { PoolSummary, Store } from '../../store/store.js';
import { describeMolecule } from '../chem/rdkit.js';
import { readCandidates } from '../pool/read.js';
import { measureProcess } from '../usage.js';
import { yieldToEventLoop } from './yield.js';

export async function preparePool(
  store: Store,
  args: { campaignId: string; config: CampaignConfig },
): Promise<PoolSummary & { usage?: Usage }> {
  const existing = (await store.getCampaign(args.campaignId))?.pool;
  if (
    existing &&
    existing.source === args.config.candidates.source &&
    (await store.countCandidates(args.campaignId)) === existing.kept
  ) {
    return existing; // a retried or resumed campaign keeps its pool (and its candidate numbering)
  }
  const used = measureProcess();
  const c = args.config.candidates;
  const raw = await readCandidates(c);
  const f = c.filters;
  const allowed = f.elements ? new Set([...f.elements, 'H']) : undefined;
  const rejected: Record<string, number> = {};
  const reject = (why: string) => {
    rejected[why] = (rejected[why] ?? 0) + 1;
  };
  const seen = new Set<string>();
  const pool: MoleculeCandidate[] = [];
  for (const [i, r] of raw.entries()) {
    if (c.limit !== undefined && pool.length >= c.limit) break;
    if (i % 200 === 0) {
      heartbeat({ read: i, kept: pool.length });
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
      pool.push({
        kind: 'molecule',
        idx: pool.length,
        label: r.label,
        smiles: m.canonical,
        heavyAtoms: m.heavyAtoms,
      });
    }
  }
  await store.putCandidates(args.campaignId, pool);
  const summary: PoolSummary = { source: c.source, read: raw.length, kept: pool.length, rejected };
  await store.setPoolSummary(args.campaignId, summary);
  const usage = used();
  await store.record({ campaignId: args.campaignId, round: 0, activity: 'pool:prepare', usage });
  return { ...summary, usage };
}
