/** Pool features, cached in the store per (featurizer spec, candidate identity): computed once per molecule. */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/store.js';
import { featurize } from '../ml/features.js';
import { yieldToEventLoop } from './yield.js';

export interface FeatureSpec {
  morganRadius: number;
  morganBits: number;
  descriptors: boolean;
}

const FEATURIZER_VERSION = 1;

export async function poolFeatures(
  store: Store,
  smiles: string[],
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<{ matrix: Float32Array; nFeatures: number }> {
  const tag = JSON.stringify({ v: FEATURIZER_VERSION, ...spec });
  const keyOf = (s: string) => createHash('sha256').update(tag).update('\0').update(s).digest('hex');
  const keys = smiles.map(keyOf);
  const cached = await store.getFeatures(keys);
  const rows: (Float32Array | undefined)[] = keys.map((k) => cached.get(k));
  const missing = rows.flatMap((r, i) => (r ? [] : [i]));
  for (let start = 0; start < missing.length; start += 128) {
    await yieldToEventLoop(); // RDKit is synchronous: keep heartbeats flowing between chunks
    const chunk = missing.slice(start, start + 128);
    const f = await featurize(
      chunk.map((i) => smiles[i] as string),
      spec,
    );
    const fresh = chunk.map((i, j) => {
      const row = f.matrix.slice(j * f.nFeatures, (j + 1) * f.nFeatures);
      rows[i] = row;
      return { key: keys[i] as string, features: row };
    });
    await store.putFeatures(fresh);
    onChunk?.();
  }
  const nFeatures = rows[0]?.length ?? 0;
  const matrix = new Float32Array(smiles.length * nFeatures);
  rows.forEach((r, i) => {
    matrix.set(r as Float32Array, i * nFeatures);
  });
  return { matrix, nFeatures };
}
