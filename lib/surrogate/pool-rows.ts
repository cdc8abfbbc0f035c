/**
 * A pool's feature matrix with its fingerprint block bit-packed: one bit per Morgan bit (RDKit's layout, bit i in
 * byte i >> 3 at position i & 7) and the other columns (descriptors) as float32. A million molecules with 1024
 * bits and 20 descriptors are 208 MB so, against 4.2 GB as a dense float matrix; a model screening them unpacks a
 * block of rows at a time. Pure.
 */

export interface PackedRows {
  rows: number;
  /** Fingerprint columns, first in each row; 0 for features with no fingerprint (crystals). */
  nBits: number;
  /** Float columns after them. */
  nDense: number;
  /** rows x bytesPerRow(nBits) bytes. */
  bits: Uint8Array;
  /** rows x nDense values. */
  dense: Float32Array;
}

/** What a model may be asked to predict: a dense row-major matrix, or packed rows. */
export type PoolMatrix = Float32Array | PackedRows;

export const bytesPerRow = (nBits: number): number => Math.ceil(nBits / 8);

export function isPacked(pool: PoolMatrix): pool is PackedRows {
  return !(pool instanceof Float32Array);
}

/** Empty packed rows of this shape, to fill with `packRow`. */
export function packedRows(rows: number, nBits: number, nDense: number): PackedRows {
  return {
    rows,
    nBits,
    nDense,
    bits: new Uint8Array(rows * bytesPerRow(nBits)),
    dense: new Float32Array(rows * nDense),
  };
}

/** Rows of a pool with `nFeatures` columns. */
export function rowCount(pool: PoolMatrix, nFeatures: number): number {
  if (!isPacked(pool)) return pool.length / nFeatures;
  if (pool.nBits + pool.nDense !== nFeatures)
    throw new Error(`packed rows have ${pool.nBits + pool.nDense} columns, expected ${nFeatures}`);
  return pool.rows;
}

/** Stores a dense row (fingerprint values non-zero where the bit is on, then the floats) as row `r`. */
export function packRow(p: PackedRows, r: number, row: ArrayLike<number>): void {
  const width = bytesPerRow(p.nBits);
  const bits = p.bits.subarray(r * width, (r + 1) * width);
  bits.fill(0);
  for (let i = 0; i < p.nBits; i++)
    if (row[i] !== 0) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  for (let j = 0; j < p.nDense; j++) p.dense[r * p.nDense + j] = row[p.nBits + j] as number;
}

/**
 * Rows [start, start + count) as a dense row-major matrix (0/1 for the bits), written into `out` when given (it
 * must hold count x columns values).
 */
export function unpackRows(p: PackedRows, start: number, count: number, out?: Float32Array): Float32Array {
  const d = p.nBits + p.nDense;
  const width = bytesPerRow(p.nBits);
  const to = out ?? new Float32Array(count * d);
  if (to.length < count * d) throw new Error(`room for ${to.length} values, ${count} x ${d} needed`);
  for (let r = 0; r < count; r++) {
    const row = to.subarray(r * d, (r + 1) * d);
    const at = (start + r) * width;
    row.fill(0, 0, p.nBits);
    for (let b = 0; b < width; b++) {
      let byte = p.bits[at + b] as number;
      // only the set bits are written: a fingerprint is mostly zeros
      while (byte !== 0) {
        const low = byte & -byte;
        row[b * 8 + 31 - Math.clz32(low)] = 1;
        byte ^= low;
      }
    }
    row.set(p.dense.subarray((start + r) * p.nDense, (start + r + 1) * p.nDense), p.nBits);
  }
  return to;
}

/** The given rows, dense, in that order. */
export function gatherRows(pool: PoolMatrix, nFeatures: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * nFeatures);
  rows.forEach((r, i) => {
    const into = out.subarray(i * nFeatures, (i + 1) * nFeatures);
    if (isPacked(pool)) unpackRows(pool, r, 1, into);
    else into.set(pool.subarray(r * nFeatures, (r + 1) * nFeatures));
  });
  return out;
}

/** An independent copy (a fit may move its pool's buffers to a thread). */
export function copyPool(pool: PoolMatrix): PoolMatrix {
  return isPacked(pool) ? { ...pool, bits: pool.bits.slice(), dense: pool.dense.slice() } : pool.slice();
}
