/**
 * Building blocks of the canonical texts that cache keys hash (molecules in geometry.ts, crystals in
 * structure.ts): numbers rounded to integers, so that -0 and 0 coincide and the text is exact, and atoms
 * in a fixed order.
 */
import { createHash } from 'node:crypto';

/** Rounds to `decimals` as an integer count of 10^-decimals (so -0 and 0 coincide). */
export function quantise(x: number, decimals: number): number {
  return Math.round(x * 10 ** decimals) || 0;
}

/** An integer count of 10^-decimals as an exact decimal string. */
export function decimal(n: number, decimals: number): string {
  const scale = 10 ** decimals;
  const abs = Math.abs(n);
  const int = Math.floor(abs / scale);
  return `${n < 0 ? '-' : ''}${int}.${String(abs - int * scale).padStart(decimals, '0')}`;
}

/** An atom of a canonical text: its element symbol and its quantised coordinates. */
export interface CanonicalAtom {
  sym: string;
  q: number[];
}

/** Orders atoms by element symbol, then by coordinates. */
export function compareAtoms(a: CanonicalAtom, b: CanonicalAtom): number {
  if (a.sym !== b.sym) return a.sym < b.sym ? -1 : 1;
  for (let k = 0; k < 3; k++) {
    const d = (a.q[k] ?? 0) - (b.q[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The canonical text with its sha256 (hex). */
export function withHash(text: string): { text: string; hash: string } {
  return { text, hash: createHash('sha256').update(text).digest('hex') };
}
