/**
 * A cached feature row in its packed form: the fingerprint's bytes (lib/surrogate/pool-rows.ts), padded to a
 * multiple of four, then the float columns. The store keeps feature rows as float32 words and copies their bytes
 * unchanged (both backends, test/helpers/store-suites/store-rest.ts: "bit for bit"), so the packed bytes travel as
 * the words they fill; a row of 1024 bits and 20 descriptors is 208 bytes instead of 4,176.
 */
import { bytesPerRow, type PackedRows } from '../../lib/surrogate/pool-rows.js';

export interface RowShape {
  nBits: number;
  nDense: number;
}

/** Float32 words of a cached row of this shape. */
export function rowWords(shape: RowShape): number {
  return Math.ceil(bytesPerRow(shape.nBits) / 4) + shape.nDense;
}

/** Row r of `packed`, as the words the cache stores. */
export function encodeRow(packed: PackedRows, r: number): Float32Array {
  const width = bytesPerRow(packed.nBits);
  const words = new Float32Array(rowWords(packed));
  new Uint8Array(words.buffer).set(packed.bits.subarray(r * width, (r + 1) * width));
  words.set(packed.dense.subarray(r * packed.nDense, (r + 1) * packed.nDense), Math.ceil(width / 4));
  return words;
}

/** A cached row into row r of `packed` (the same shape, or it is refused). */
export function decodeRow(words: Float32Array, shape: RowShape, packed: PackedRows, r: number): void {
  if (words.length !== rowWords(shape))
    throw new Error(`a cached feature row of ${words.length} words, expected ${rowWords(shape)}`);
  const width = bytesPerRow(shape.nBits);
  packed.bits.set(new Uint8Array(words.buffer, words.byteOffset, width), r * width);
  packed.dense.set(words.subarray(Math.ceil(width / 4)), r * shape.nDense);
}
