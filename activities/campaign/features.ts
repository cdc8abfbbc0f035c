/**
 * Pool features, cached in the store per (featurizer spec, candidate identity): computed once per candidate.
 * Molecules: Morgan fingerprint bits and RDKit descriptors (activities/ml/features.ts); crystals: composition
 * statistics, structure descriptors and the crystal system (lib/chem/structure-features.ts).
 */
import { createHash } from 'node:crypto';
import { crystalFeatures } from '../../lib/chem/structure-features.js';
import { type Candidate, identity } from '../../lib/domain/candidate.js';
import type { Store } from '../../store/store.js';
import { featurize } from '../ml/features.js';
import { yieldToEventLoop } from './yield.js';

export interface FeatureSpec {
  morganRadius: number;
  morganBits: number;
  descriptors: boolean;
}

const FEATURIZER_VERSION = 1;
const CRYSTAL_FEATURIZER_VERSION = 1;
const CHUNK = 128;

export async function poolFeatures(
  store: Store,
  candidates: readonly Candidate[],
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<{ matrix: Float32Array; nFeatures: number }> {
  // a crystal's features do not depend on the molecular spec
  const molecularTag = JSON.stringify({ v: FEATURIZER_VERSION, ...spec });
  const crystalTag = JSON.stringify({ v: CRYSTAL_FEATURIZER_VERSION, kind: 'crystal' });
  const keyOf = (c: Candidate) =>
    createHash('sha256')
      .update(c.kind === 'crystal' ? crystalTag : molecularTag)
      .update('\0')
      .update(identity(c))
      .digest('hex');
  const keys = candidates.map(keyOf);
  const cached = await store.getFeatures(keys);
  const rows: (Float32Array | undefined)[] = keys.map((k) => cached.get(k));
  const missing = rows.flatMap((r, i) => (r ? [] : [i]));
  for (let start = 0; start < missing.length; start += CHUNK) {
    await yieldToEventLoop(); // RDKit is synchronous: keep heartbeats flowing between chunks
    const chunk = missing.slice(start, start + CHUNK);
    const computed = await featuresOf(
      chunk.map((i) => candidates[i] as Candidate),
      spec,
    );
    const fresh = chunk.map((i, j) => {
      const row = computed[j] as Float32Array;
      rows[i] = row;
      return { key: keys[i] as string, features: row };
    });
    await store.putFeatures(fresh);
    onChunk?.();
  }
  const nFeatures = rows[0]?.length ?? 0;
  const matrix = new Float32Array(candidates.length * nFeatures);
  rows.forEach((r, i) => {
    matrix.set(r as Float32Array, i * nFeatures);
  });
  return { matrix, nFeatures };
}

/** One row per candidate (a campaign's pool holds one kind). */
async function featuresOf(chunk: readonly Candidate[], spec: FeatureSpec): Promise<Float32Array[]> {
  if (chunk.every((c) => c.kind === 'crystal')) {
    return chunk.map((c) =>
      Float32Array.from(
        crystalFeatures(c.structure, c.spaceGroup === undefined ? {} : { spaceGroup: c.spaceGroup }),
      ),
    );
  }
  const smiles = chunk.map((c) => {
    if (c.kind !== 'molecule') throw new Error('a pool holds molecules or crystals, not both');
    return c.smiles;
  });
  const f = await featurize(smiles, spec);
  return smiles.map((_, j) => f.matrix.slice(j * f.nFeatures, (j + 1) * f.nFeatures));
}
