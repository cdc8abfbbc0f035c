/**
 * A pool's molecules, chosen exactly as a campaign chooses them: preparePool (read, canonicalise and filter with
 * RDKit, in file order, up to the limit) run against the label store, outside Temporal in a mock activity
 * context (it heartbeats). The store keeps the pool, so a second run reads it back without RDKit.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { preparePool } from '../../activities/campaign/pool.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { PoolSummary, Store } from '../../store/store.js';
import type { PoolDefinition } from './definitions.js';

export async function selectPool(
  store: Store,
  def: PoolDefinition,
): Promise<{ molecules: MoleculeCandidate[]; summary: PoolSummary }> {
  await store.saveCampaign(def.campaignId, def.config);
  const summary = (await new MockActivityEnvironment().run(preparePool, store, {
    campaignId: def.campaignId,
    config: def.config,
  })) as PoolSummary;
  const molecules = (await store.listCandidates(def.campaignId)).filter(
    (c): c is MoleculeCandidate => c.kind === 'molecule',
  );
  return { molecules, summary };
}
