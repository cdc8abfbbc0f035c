/** Feature rows cached by key (featurizer settings + candidate identity): computed once per candidate. */
import { type Db, statement } from './db.js';

export function getFeatures(db: Db, keys: readonly string[]): Map<string, Float32Array> {
  const get = statement(db, 'SELECT data FROM features WHERE key = ?');
  const out = new Map<string, Float32Array>();
  for (const key of keys) {
    const r = get.get(key) as { data: Buffer } | undefined;
    if (r)
      out.set(
        key,
        new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength)),
      );
  }
  return out;
}

export function putFeatures(db: Db, rows: ReadonlyArray<{ key: string; features: Float32Array }>): void {
  const put = statement(db, 'INSERT OR REPLACE INTO features (key, n_features, data) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of rows)
      put.run(
        r.key,
        r.features.length,
        Buffer.from(r.features.buffer, r.features.byteOffset, r.features.byteLength),
      );
  })();
}
