/**
 * One canonical description of a crystal, given its primitive cell: the same crystal written in another basis,
 * rotated, translated or with its atoms permuted gives the same text, byte for byte.
 *
 * A primitive cell still leaves choices open, and each is fixed here:
 * - the basis: Niggli-reduced (niggli.ts), which fixes the metric (lengths and angles) uniquely;
 * - the orientation: the lattice is written from the metric alone, a along x, b in the xy plane, c with z > 0;
 * - the lattice's own symmetry: a Niggli basis is unique only up to the proper automorphisms of its metric (the
 *   cubic lattice has 24 of them), which permute and negate the basis vectors;
 * - the origin: any translation describes the same crystal.
 * Every automorphism is tried with every atom of the rarest species at the origin (fewest atoms, then the
 * alphabetically first symbol), and the smallest canonical text (qm/structure.ts's canonicalCrystal) wins. Those
 * candidates are the same set whichever cell the crystal came in, so the smallest one is the same too.
 * Improper automorphisms are not tried: a crystal and its mirror image (a chiral structure's two hands) stay
 * two crystals.
 */
import { canonicalCrystal, StructureError } from '../structure.js';
import type { Crystal, Vec3 } from '../template.js';
import { AXES, det3, inverse, type Mat3, multiply, transpose } from './matrix.js';
import { niggliReduce } from './niggli.js';
import { wrapUnit } from './symop.js';

export interface CanonicalCell {
  /**
   * The canonical primitive cell: Niggli basis, lattice in the metric's orientation, chosen origin, coordinates
   * in [0, 1). Numbers are not rounded (a hexagonal lattice rounded to 1e-5 bohr would no longer be hexagonal
   * to a code that checks symmetry to 1e-6), so two crystals with one text have cells equal to rounding noise.
   */
  crystal: Crystal;
  /** canonicalCrystal's text of it. */
  text: string;
}

/** Metrics closer than this (relative to the mean squared basis length) are equal. */
const METRIC_TOLERANCE = 1e-6;

/**
 * The canonical form of the crystal whose primitive cell is `primitive`. `rotations` (optional) are the rotation
 * parts of its space group in the primitive cell's fractional basis (x' = W x); when given, the metric is first
 * averaged over them, so that a lattice distorted within the symmetry tolerance is written as its ideal self.
 * A cell that is not primitive still gets a deterministic text, but not one shared with its primitive cell.
 */
export function canonicalCell(primitive: Crystal, rotations: readonly Mat3[] = []): CanonicalCell {
  let lattice = primitive.lattice as Mat3;
  let fractional = primitive.fractional;
  if (det3(lattice) < 0) {
    // a left-handed basis: (-a, -b, -c) with coordinates negated is the same crystal, right-handed
    lattice = lattice.map((v) => v.map((x) => -x)) as Mat3;
    fractional = fractional.map((f) => f.map((x) => -x) as Vec3);
  }
  const metric = idealMetric(multiply(lattice, transpose(lattice)), rotations);
  const { change, metric: reduced } = niggliReduce(metric);
  const back = inverse(change);
  const niggliFractional = fractional.map((f) => rowTimes(f, back));
  const cartesian = latticeOfMetric(reduced);

  const origins = rarestSpeciesAtoms(primitive.symbols);
  let best: { text: string; fractional: Vec3[] } | undefined;
  for (const m of properAutomorphisms(reduced)) {
    const mInv = inverse(m);
    for (const o of origins) {
      const shift = niggliFractional[o] as Vec3;
      const moved = niggliFractional.map(
        (f) => rowTimes([f[0] - shift[0], f[1] - shift[1], f[2] - shift[2]], mInv).map(wrapUnit) as Vec3,
      );
      const { text } = canonicalCrystal({
        kind: 'crystal',
        lattice: cartesian,
        symbols: primitive.symbols,
        fractional: moved,
      });
      if (best === undefined || text < best.text) best = { text, fractional: moved };
    }
  }
  if (best === undefined) throw new StructureError('canonical cell: the lattice has no automorphisms');
  const crystal: Crystal = {
    kind: 'crystal',
    lattice: cartesian,
    symbols: [...primitive.symbols],
    fractional: best.fractional,
  };
  return { crystal, text: best.text };
}

/** The row vector f times the matrix m. */
function rowTimes(f: Vec3, m: Mat3): Vec3 {
  return AXES.map((j) => f[0] * m[0][j] + f[1] * m[1][j] + f[2] * m[2][j]) as Vec3;
}

/**
 * The metric averaged over the point group: (1/n) Σ Wᵀ G W. Fractional x maps to W x, so the metric is invariant
 * when Wᵀ G W = G; an operation far from that is not a symmetry of this cell, and is refused.
 */
function idealMetric(g: Mat3, rotations: readonly Mat3[]): Mat3 {
  if (rotations.length === 0) return g;
  const scale = (g[0][0] + g[1][1] + g[2][2]) / 3;
  const sum: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const w of rotations) {
    const h = multiply(multiply(transpose(w), g), w);
    const off = Math.max(...AXES.flatMap((i) => AXES.map((j) => Math.abs(h[i][j] - g[i][j]))));
    if (off > 1e-2 * scale) {
      throw new StructureError(
        `canonical cell: rotation ${JSON.stringify(w)} is not a symmetry of the lattice`,
      );
    }
    for (const i of AXES) for (const j of AXES) sum[i][j] += h[i][j] / rotations.length;
  }
  return sum;
}

/**
 * Lattice vectors with metric g: a along x, b in the xy plane, c with positive z (a right-handed basis; the
 * Cholesky factor of g).
 */
export function latticeOfMetric(g: Mat3): [Vec3, Vec3, Vec3] {
  const ax = Math.sqrt(g[0][0]);
  const bx = g[0][1] / ax;
  const by = Math.sqrt(g[1][1] - bx * bx);
  const cx = g[0][2] / ax;
  const cy = (g[1][2] - bx * cx) / by;
  const cz = Math.sqrt(g[2][2] - cx * cx - cy * cy);
  if (![ax, by, cz].every((x) => Number.isFinite(x) && x > 0)) {
    throw new StructureError(`canonical cell: metric ${JSON.stringify(g)} is not positive definite`);
  }
  return [
    [ax, 0, 0],
    [bx, by, 0],
    [cx, cy, cz],
  ];
}

/** The 3-vectors with entries -1, 0, 1: enough for the automorphisms of a Niggli-reduced basis. */
const SMALL_VECTORS: Vec3[] = [-1, 0, 1].flatMap((a) =>
  [-1, 0, 1].flatMap((b) => [-1, 0, 1].map((c) => [a, b, c] as Vec3)),
);

/**
 * Integer bases M (rows: combinations of the basis vectors) with M G Mᵀ = G and det M = +1: the rotations of
 * the lattice onto itself, written in its basis. The identity is always one.
 */
export function properAutomorphisms(g: Mat3): Mat3[] {
  const tol = (METRIC_TOLERANCE * (g[0][0] + g[1][1] + g[2][2])) / 3;
  const dot = (u: Vec3, v: Vec3) =>
    AXES.reduce<number>((s, i) => s + AXES.reduce<number>((t, j) => t + u[i] * g[i][j] * v[j], 0), 0);
  // row i of M must be a lattice vector as long as basis vector i
  const rows = AXES.map((i) => SMALL_VECTORS.filter((v) => Math.abs(dot(v, v) - g[i][i]) <= tol));
  const out: Mat3[] = [];
  for (const r0 of rows[0] as Vec3[])
    for (const r1 of rows[1] as Vec3[]) {
      if (Math.abs(dot(r0, r1) - g[0][1]) > tol) continue;
      for (const r2 of rows[2] as Vec3[]) {
        if (Math.abs(dot(r0, r2) - g[0][2]) > tol || Math.abs(dot(r1, r2) - g[1][2]) > tol) continue;
        const m: Mat3 = [r0, r1, r2];
        if (det3(m) === 1) out.push(m);
      }
    }
  return out;
}

/** Indices of the atoms of the rarest species: fewest atoms, ties to the alphabetically first symbol. */
function rarestSpeciesAtoms(symbols: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  const [rarest] = [...counts].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (!rarest) throw new StructureError('canonical cell: no atoms');
  return symbols.flatMap((s, i) => (s === rarest[0] ? [i] : []));
}
