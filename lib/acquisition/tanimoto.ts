/**
 * Tanimoto similarity of fingerprints packed 32 bits to a word: |a AND b| / |a OR b|. The store keeps Morgan
 * bits as one float each (a feature row), so the few rows diversity compares are packed once, then compared
 * with population counts. Written by hand: it is a dozen lines.
 */

/** Packs a fingerprint given as numbers (non-zero: the bit is on) into 32-bit words. */
export function packBits(bits: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(bits.length / 32));
  for (let i = 0; i < bits.length; i++) {
    if (bits[i] !== 0) words[i >>> 5] = (words[i >>> 5] as number) | (1 << (i & 31));
  }
  return words;
}

/** Set bits of a 32-bit word (the SWAR population count). */
export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** Set bits of a packed fingerprint. */
export function bitCount(a: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < a.length; w++) n += popcount32(a[w] as number);
  return n;
}

/**
 * Tanimoto from the bits each fingerprint has (`bitCount`, computed once per fingerprint by callers that compare
 * one with many): |a AND b| / (|a| + |b| - |a AND b|), half the population counts of `tanimoto`.
 */
export function tanimotoCounted(a: Uint32Array, b: Uint32Array, countA: number, countB: number): number {
  if (a.length !== b.length) throw new Error(`fingerprints of ${a.length * 32} and ${b.length * 32} bits`);
  let both = 0;
  for (let w = 0; w < a.length; w++) both += popcount32((a[w] as number) & (b[w] as number));
  const either = countA + countB - both;
  return either === 0 ? 1 : both / either;
}

/**
 * |a AND b| / |a OR b| for packed fingerprints of the same length. Two empty fingerprints are called identical
 * (1): nothing tells them apart, and diversity should not prefer a second empty one.
 */
export function tanimoto(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new Error(`fingerprints of ${a.length * 32} and ${b.length * 32} bits`);
  let both = 0;
  let either = 0;
  for (let w = 0; w < a.length; w++) {
    const x = a[w] as number;
    const y = b[w] as number;
    both += popcount32(x & y);
    either += popcount32(x | y);
  }
  return either === 0 ? 1 : both / either;
}
