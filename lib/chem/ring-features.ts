/**
 * The SA score's ring terms, computed from RDKit's ring list with RDKit's own definitions (RDKit-JS computes
 * NumSpiroAtoms and NumBridgeheadAtoms only inside get_descriptors(), which costs ~1 ms for all ~45 descriptors):
 * - spiro atoms (CalcNumSpiroAtoms): atoms that are the only atom two rings share;
 * - bridgehead atoms (CalcNumBridgeheadAtoms, version 2): where two rings share more than one bond, the two ends of
 *   the shared bonds (the atoms that occur in exactly one of them);
 * - macrocycles (sascorer.py): rings of more than 8 atoms.
 */
import type { MolGraph } from './mol-graph.js';

export interface RingFeatures {
  spiroAtoms: number;
  bridgeheadAtoms: number;
  macrocycles: number;
}

export function ringFeatures(graph: MolGraph): RingFeatures {
  const { rings } = graph;
  const spiro = new Set<number>();
  for (let i = 0; i < rings.length; i++) {
    const ri = new Set(rings[i]);
    for (let j = i + 1; j < rings.length; j++) {
      const shared = (rings[j] as number[]).filter((a) => ri.has(a));
      if (shared.length === 1) spiro.add(shared[0] as number);
    }
  }

  const index = new Map(graph.bonds.map((b, i) => [pairKey(b.begin, b.end), i]));
  const bondRings = rings.map((ring) => ringBonds(index, ring));
  const bridgeheads = new Set<number>();
  for (let i = 0; i < bondRings.length; i++) {
    const bi = new Set(bondRings[i]);
    for (let j = i + 1; j < bondRings.length; j++) {
      const shared = (bondRings[j] as number[]).filter((b) => bi.has(b));
      if (shared.length < 2) continue;
      const ends = new Map<number, number>();
      for (const b of shared) {
        const { begin, end } = graph.bonds[b] as { begin: number; end: number };
        ends.set(begin, (ends.get(begin) ?? 0) + 1);
        ends.set(end, (ends.get(end) ?? 0) + 1);
      }
      for (const [atom, count] of ends) if (count === 1) bridgeheads.add(atom);
    }
  }

  return {
    spiroAtoms: spiro.size,
    bridgeheadAtoms: bridgeheads.size,
    macrocycles: rings.filter((r) => r.length > 8).length,
  };
}

/** The bonds of a ring given as atoms in ring order (consecutive atoms, and the last with the first). */
function ringBonds(index: Map<number, number>, ring: number[]): number[] {
  return ring.map((a, k) => {
    const b = ring[(k + 1) % ring.length] as number;
    const bond = index.get(pairKey(a, b));
    if (bond === undefined) throw new Error(`ring ${ring.join('-')} is not in ring order: no bond ${a}-${b}`);
    return bond;
  });
}

/** One number for an unordered atom pair (molecules here stay far below 2^20 atoms). */
function pairKey(a: number, b: number): number {
  return a < b ? a * 1_048_576 + b : b * 1_048_576 + a;
}
