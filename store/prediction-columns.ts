/**
 * A model's predictions as three columns (pool index, mean, std) stored as little-endian blobs in one row per
 * model, the form both backends keep (a million-candidate pool was a million SQL rows per model before). The
 * index column is left out (NULL) when row r is pool index r, as it is for a model that screened a whole pool.
 * Pure: the backends only move the bytes.
 */
import type { Prediction, PredictionColumns } from './store.js';

/** The blobs of one model's row. */
export interface PredictionBlobs {
  rows: number;
  /** Int32 pool indices, ascending; null when they are 0..rows-1. */
  idx: Buffer | null;
  mean: Buffer;
  std: Buffer;
}

/** Columns sorted by pool index; of two predictions of one candidate the later wins (as INSERT OR REPLACE did). */
export function toColumns(
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  indices: ArrayLike<number>,
): PredictionColumns {
  const n = indices.length;
  if (mean.length < n || std.length < n)
    throw new Error(`${n} indices but ${mean.length} means and ${std.length} stds`);
  let ascending = true;
  for (let r = 1; r < n && ascending; r++) ascending = (indices[r] as number) > (indices[r - 1] as number);
  if (ascending) {
    return {
      indices: Int32Array.from(indices),
      mean: Float32Array.from({ length: n }, (_, r) => mean[r] as number),
      std: Float32Array.from({ length: n }, (_, r) => std[r] as number),
    };
  }
  const last = new Map<number, number>();
  for (let r = 0; r < n; r++) last.set(indices[r] as number, r);
  const order = [...last.keys()].sort((a, b) => a - b);
  return {
    indices: Int32Array.from(order),
    mean: Float32Array.from(order, (idx) => mean[last.get(idx) as number] as number),
    std: Float32Array.from(order, (idx) => std[last.get(idx) as number] as number),
  };
}

export function toBlobs(c: PredictionColumns): PredictionBlobs {
  const rows = c.indices.length;
  let dense = true;
  for (let r = 0; r < rows && dense; r++) dense = c.indices[r] === r;
  return {
    rows,
    idx: dense ? null : bytesOf(c.indices),
    mean: bytesOf(c.mean),
    std: bytesOf(c.std),
  };
}

export function fromBlobs(b: {
  rows: number;
  idx: Buffer | null;
  mean: Buffer;
  std: Buffer;
}): PredictionColumns {
  const rows = Number(b.rows);
  // copies: a Buffer from the driver may sit at an offset no typed array of 4-byte values can start at
  const indices = b.idx
    ? new Int32Array(new Uint8Array(b.idx).buffer)
    : Int32Array.from({ length: rows }, (_, r) => r);
  const mean = new Float32Array(new Uint8Array(b.mean).buffer);
  const std = new Float32Array(new Uint8Array(b.std).buffer);
  if (indices.length !== rows || mean.length !== rows || std.length !== rows)
    throw new Error(
      `a prediction row of ${rows} candidates holds ${indices.length}/${mean.length}/${std.length}`,
    );
  return { indices, mean, std };
}

/** The rows whose pool index `keep` accepts. */
export function filterColumns(c: PredictionColumns, keep: (idx: number) => boolean): PredictionColumns {
  const rows: number[] = [];
  for (let r = 0; r < c.indices.length; r++) if (keep(c.indices[r] as number)) rows.push(r);
  return {
    indices: Int32Array.from(rows, (r) => c.indices[r] as number),
    mean: Float32Array.from(rows, (r) => c.mean[r] as number),
    std: Float32Array.from(rows, (r) => c.std[r] as number),
  };
}

/** One object per candidate, for the readers that want them (the report; small or filtered sets). */
export function toPredictions(c: PredictionColumns | undefined): Prediction[] {
  if (!c) return [];
  return Array.from(c.indices, (idx, r) => ({ idx, mean: c.mean[r] as number, std: c.std[r] as number }));
}

/** Typed arrays in the machine's byte order (little-endian everywhere cascade runs), without a copy. */
function bytesOf(a: Int32Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
