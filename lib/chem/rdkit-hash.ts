/**
 * RDKit's portable 32-bit hashing (its copy of boost's hash, `gboost`, with a fixed 32-bit result so that
 * fingerprint ids are the same on every machine). Morgan ids are built from these, so they must be reproduced to
 * the bit. Facts used: an integer hashes to itself cast to uint32 (a negative int wraps); hash_combine does
 * `seed ^= h + 0x9e3779b9 + (seed << 6) + (seed >> 2)` in uint32 arithmetic; a vector hashes as hash_combine over
 * its items from seed 0; a pair as hash_combine of its first, then its second, from seed 0.
 */

/** The golden-ratio constant boost adds in every combine step. */
const GOLDEN = 0x9e3779b9;

/** `seed` after combining in `value` (an already hashed uint32, or a plain integer, which hashes to itself). */
export function hashCombine(seed: number, value: number): number {
  // the sum stays below 2^35, exact in a double; >>> 0 takes it mod 2^32
  const mixed = ((value >>> 0) + GOLDEN + ((seed << 6) >>> 0) + (seed >>> 2)) >>> 0;
  return (seed ^ mixed) >>> 0;
}

/** The hash of a vector of integers (each taken mod 2^32, as a C++ cast to uint32 would). */
export function hashIntegers(values: readonly number[]): number {
  let seed = 0;
  for (const v of values) seed = hashCombine(seed, v);
  return seed;
}

/** The hash of a pair of integers. */
export function hashPair(first: number, second: number): number {
  return hashCombine(hashCombine(0, first), second);
}
