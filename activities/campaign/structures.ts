/**
 * The structure a candidate's calculation runs on, one provider per kind: a molecule's stored 3D geometry
 * (embedded once, activities/qm/stored-geometry.ts) or the one a lower tier optimised; a crystal's own structure.
 */
import type { Candidate } from '../../lib/domain/candidate.js';
import type { Geometry, QmSystem } from '../../lib/domain/geometry.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { Store } from '../../store/store.js';
import { storedGeometry } from '../qm/stored-geometry.js';

export async function structureFor(
  store: Store,
  cand: Candidate,
  /** The tier below, whose optimised geometry a molecule starts from when it has one. */
  previous?: { campaignId: string; tier: string },
  /** Told what making the structure used, when it was made now (an embedding). */
  onUsage?: (usage: Usage) => void,
): Promise<QmSystem> {
  if (cand.kind === 'crystal') return cand.structure;
  const optimised = previous && (await previousGeometry(store, previous.campaignId, cand.idx, previous.tier));
  return optimised ?? storedGeometry(store, cand.smiles, onUsage);
}

/** A higher tier starts from the geometry the previous tier optimised, when it did. */
async function previousGeometry(
  store: Store,
  campaignId: string,
  idx: number,
  tier: string,
): Promise<Geometry | undefined> {
  const row = await store.getEvaluation(campaignId, idx, tier);
  const result = row?.resultKey ? await store.getQmResult(row.resultKey) : undefined;
  return (result?.outputs as { finalGeometry?: Geometry } | undefined)?.finalGeometry;
}
