/**
 * A pool to predict, a block of dense rows at a time: a dense pool is one block (as before), packed rows
 * (lib/surrogate/pool-rows.ts) are unpacked block by block into one buffer of shared memory, which the forest's
 * threads read without a copy. For the models that take dense rows only.
 */
import { isPacked, type PoolMatrix, rowCount, unpackRows } from '../../lib/surrogate/pool-rows.js';

/** Rows unpacked at once: 32k rows of 1044 features are 137 MB, against 4.2 GB for a million-row pool. */
export const BLOCK_ROWS = 32_768;

/** Calls `fn` on each block in order; a block's array is only valid until `fn`'s promise settles. */
export async function forEachBlock(
  pool: PoolMatrix,
  nFeatures: number,
  fn: (x: Float32Array, start: number, rows: number) => Promise<void>,
  blockRows = BLOCK_ROWS,
): Promise<void> {
  const n = rowCount(pool, nFeatures);
  if (!isPacked(pool)) {
    await fn(pool, 0, n);
    return;
  }
  const size = Math.min(blockRows, n) * nFeatures;
  const buffer = new Float32Array(new SharedArrayBuffer(size * 4));
  for (let start = 0; start < n; start += blockRows) {
    const rows = Math.min(blockRows, n - start);
    await fn(unpackRows(pool, start, rows, buffer).subarray(0, rows * nFeatures), start, rows);
  }
}
