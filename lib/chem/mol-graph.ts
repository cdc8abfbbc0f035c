/**
 * A molecule as the Morgan fingerprint and the SA score's ring terms see it: atoms with the facts RDKit's
 * connectivity invariants read, bonds with RDKit's bond type numbers, and RDKit's ring list. Filled from RDKit
 * (activities/chem/morgan-ids.ts); nothing here knows where it came from.
 */

/** RDKit's Bond::BondType numbers, the Morgan bond invariant when bond types are used. */
export const BondType = {
  SINGLE: 1,
  DOUBLE: 2,
  TRIPLE: 3,
  QUADRUPLE: 4,
  AROMATIC: 12,
  DATIVE: 17,
  ZERO: 21,
} as const;

export interface GraphAtom {
  /** Atomic number (0 for a dummy atom). */
  z: number;
  /** Hydrogens the atom carries as a count (explicit + implicit), not those present as atoms of the graph. */
  hydrogens: number;
  formalCharge: number;
  /**
   * RDKit's "delta mass": its mass (the isotope's, when one is set) minus the element's standard atomic weight,
   * truncated toward zero as a C++ int cast does. 0 for an atom without an isotope.
   */
  deltaMass: number;
}

export interface GraphBond {
  begin: number;
  end: number;
  /** RDKit's bond type number (BondType). */
  type: number;
}

export interface MolGraph {
  atoms: GraphAtom[];
  bonds: GraphBond[];
  /** RDKit's ring list (its symmetrized SSSR), each ring's atom indices in ring order. */
  rings: number[][];
}
