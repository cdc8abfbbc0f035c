/**
 * The structures a calculation runs on: a molecule in Cartesian coordinates, or a periodic crystal. Plain data,
 * shared by the candidates (lib/domain/candidate.ts), the QM templates and the store.
 */

export type Vec3 = [number, number, number];

/** A molecule in Cartesian coordinates (angstrom). */
export interface Geometry {
  symbols: string[];
  coords: Vec3[];
  charge: number;
  multiplicity: number;
}

/**
 * A periodic solid: lattice vectors (rows, bohr) and atoms in fractional coordinates. Elk and other codes
 * for solids take this instead of a molecular Geometry.
 */
export interface Crystal {
  kind: 'crystal';
  /** Rows are the lattice vectors a1, a2, a3, in bohr. */
  lattice: [Vec3, Vec3, Vec3];
  symbols: string[];
  fractional: Vec3[];
}

/** What a template computes on: a molecule or a crystal. */
export type QmSystem = Geometry | Crystal;

export function isCrystal(s: QmSystem): s is Crystal {
  return (s as Crystal).kind === 'crystal';
}
