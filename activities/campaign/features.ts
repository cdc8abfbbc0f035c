/** Pool features, cached in the store per (featurizer spec, canonical SMILES): computed once per molecule. */
import { createHash } from 'node:crypto';
import { featurize } from '../ml/features.js';
import { openStore } from '../store/db.js';
import { yieldToEventLoop } from './yield.js';

export interface FeatureSpec {
  morganRadius: number;
  morganBits: number;
  descriptors: boolean;
}

const FEATURIZER_VERSION = 1;

export async function poolFeatures(
  smiles: string[],
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<{ matrix: Float32Array; nFeatures: number }> {
  const db = openStore();
  const tag = JSON.stringify({ v: FEATURIZER_VERSION, ...spec });
  const keyOf = (s: string) => createHash('sha256').update(tag).update('\0').update(s).digest('hex');
  const get = db.prepare('SELECT n_features AS n, data FROM features WHERE key = ?');
  const put = db.prepare('INSERT OR REPLACE INTO features (key, n_features, data) VALUES (?, ?, ?)');
  const rows: (Float32Array | undefined)[] = smiles.map((s) => {
    const r = get.get(keyOf(s)) as { n: number; data: Buffer } | undefined;
    return r
      ? new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength))
      : undefined;
  });
  const missing = rows.flatMap((r, i) => (r ? [] : [i]));
  for (let start = 0; start < missing.length; start += 128) {
    await yieldToEventLoop(); // RDKit is synchronous: keep heartbeats flowing between chunks
    const chunk = missing.slice(start, start + 128);
    const f = await featurize(
      chunk.map((i) => smiles[i] as string),
      spec,
    );
    db.transaction(() => {
      chunk.forEach((i, j) => {
        const row = f.matrix.slice(j * f.nFeatures, (j + 1) * f.nFeatures);
        rows[i] = row;
        put.run(keyOf(smiles[i] as string), f.nFeatures, Buffer.from(row.buffer));
      });
    })();
    onChunk?.();
  }
  const nFeatures = rows[0]?.length ?? 0;
  const matrix = new Float32Array(smiles.length * nFeatures);
  rows.forEach((r, i) => {
    matrix.set(r as Float32Array, i * nFeatures);
  });
  return { matrix, nFeatures };
}
