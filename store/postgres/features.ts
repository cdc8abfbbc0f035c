/** Feature rows cached by key (featurizer settings + candidate identity): computed once per candidate. */
import { type Db, query, type Sql, transaction } from './db.js';

/** A bytea as a Float32Array of its own (a Buffer may start at an offset no 4-byte array can). */
const floats = (b: Buffer): Float32Array => new Float32Array(new Uint8Array(b).buffer);

export async function getFeatures(db: Db, keys: readonly string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  if (keys.length === 0) return out;
  const rows = await query<{ key: string; data: Buffer }>(
    db,
    'SELECT key, data FROM features WHERE key = ANY($1::text[])',
    [[...new Set(keys)]],
  );
  const found = new Map(rows.map((r) => [r.key, r.data]));
  // in the order asked, as the SQLite store answers
  for (const key of keys) {
    const data = found.get(key);
    if (data) out.set(key, floats(data));
  }
  return out;
}

/** Bytes of vectors per statement: a statement's parameter stays far below the server's 1 GB limit. */
const BATCH_BYTES = 32 << 20;

/**
 * Rows in few statements: each batch's vectors travel as one binary parameter and the server cuts it at the
 * offsets given (text arrays of bytea would double the bytes in hex).
 */
export async function putFeatures(
  db: Db,
  rows: ReadonlyArray<{ key: string; features: Float32Array }>,
): Promise<void> {
  // the last row of a key wins, as SQLite's INSERT OR REPLACE has it
  const list = [...new Map(rows.map((r) => [r.key, r.features])).entries()];
  if (list.length === 0) return;
  await transaction(db, async (c) => {
    for (let start = 0; start < list.length; ) {
      let end = start;
      let bytes = 0;
      while (end < list.length && (end === start || bytes + (list[end]?.[1].byteLength ?? 0) <= BATCH_BYTES))
        bytes += list[end++]?.[1].byteLength ?? 0;
      await putBatch(c, list.slice(start, end));
      start = end;
    }
  });
}

async function putBatch(sql: Sql, list: ReadonlyArray<[string, Float32Array]>): Promise<void> {
  const offsets: number[] = [];
  let at = 0;
  for (const [, f] of list) {
    offsets.push(at);
    at += f.byteLength;
  }
  const bytes = Buffer.concat(list.map(([, f]) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  await query(
    sql,
    `INSERT INTO features (key, n_features, data)
     SELECT t.key, t.n, substring($3::bytea FROM t.off + 1 FOR t.n * 4)
     FROM unnest($1::text[], $2::integer[], $4::integer[]) AS t(key, n, off)
     ON CONFLICT (key) DO UPDATE SET n_features = excluded.n_features, data = excluded.data`,
    [list.map(([k]) => k), list.map(([, f]) => f.length), bytes, offsets],
  );
}
