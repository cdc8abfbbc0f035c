/** Feature rows cached by key (featurizer settings + candidate identity): computed once per candidate. */
import { type Db, statement } from './db.js';

/** Keys looked up per statement: fewer statement calls than one a key (a million-candidate pool has a million). */
const KEYS_PER_QUERY = 256;

export function getFeatures(db: Db, keys: readonly string[]): Map<string, Float32Array> {
  const found = new Map<string, Buffer>();
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const part = keys.slice(start, start + KEYS_PER_QUERY);
    const get = statement(
      db,
      `SELECT key, data FROM features WHERE key IN (${part.map(() => '?').join(', ')})`,
    );
    for (const r of get.all(...part) as { key: string; data: Buffer }[]) found.set(r.key, r.data);
  }
  // in the order asked, as the PostgreSQL store answers
  const out = new Map<string, Float32Array>();
  for (const key of keys) {
    const data = found.get(key);
    if (data)
      out.set(key, new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
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
