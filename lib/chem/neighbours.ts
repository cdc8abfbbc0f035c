/**
 * Nearest neighbours in a periodic cell: for each atom, the distance to the closest other atom or periodic image
 * (its own images included), and how many atoms sit in that first shell. Any length unit; distances come back
 * in the lattice's unit.
 */
import type { Vec3 } from '../domain/geometry.js';
import { type Lattice, norm, planeSpacings, toCartesian } from './lattice.js';

/**
 * Default shell width: neighbours up to 10% beyond the nearest one count as the first shell. Wide enough for the
 * spread of bond lengths in a distorted or relaxed cell, narrow enough to stop before the second shell of
 * the closest-packed common structures: bcc/CsCl has its second shell at 2/sqrt(3) = 1.155 times the first,
 * fcc and rock salt at sqrt(2), zinc blende at sqrt(8/3).
 */
export const DEFAULT_SHELL_TOLERANCE = 0.1;

/** Distances within this (relative) of the nearest one are ties: the same shell up to rounding. */
const TIE = 1e-6;

export interface AtomNeighbours {
  /** Distance to the nearest atom or periodic image. */
  distance: number;
  /** Atoms within (1 + tolerance) x distance. */
  coordination: number;
  /** Indices of the nearest atoms (several when tied; the atom itself when its own image is nearest). */
  nearest: number[];
}

/**
 * Every atom's nearest neighbour and coordination number. Exact for any cell, however skewed: the search
 * radius is (1 + tolerance) times a distance no nearest neighbour exceeds (nearestBound), and the number of
 * image cells along each axis is that radius over the cell's width along the axis.
 */
export function nearestNeighbours(
  lattice: Lattice,
  fractional: readonly Vec3[],
  tolerance = DEFAULT_SHELL_TOLERANCE,
): AtomNeighbours[] {
  if (!(tolerance >= 0)) throw new RangeError(`shell tolerance must be >= 0, got ${tolerance}`);
  const wrapped = fractional.map((f) => f.map((x) => x - Math.floor(x)) as Vec3);
  const radius = (1 + tolerance) * nearestBound(lattice, wrapped) * (1 + TIE);
  const images = imageTranslations(lattice, radius);
  return wrapped.map((fi, i) => {
    const contacts = contactsOf(lattice, images, wrapped, i, fi, radius);
    const best = Math.min(...contacts.map((c) => c.d2));
    const distance = Math.sqrt(best);
    const shell = ((1 + tolerance) * distance) ** 2 * (1 + TIE);
    const nearest = new Set(contacts.filter((c) => c.d2 <= best * (1 + TIE)).map((c) => c.j));
    return {
      distance,
      coordination: contacts.filter((c) => c.d2 <= shell).length,
      nearest: [...nearest].sort((p, q) => p - q),
    };
  });
}

/**
 * A distance no atom's nearest neighbour is farther than: for each atom, the closer of its own image along the
 * shortest of the three lattice vectors and the other atoms' positions in the wrapped cell (both real atoms, so each bounds
 * the nearest distance from above); the largest of these over the atoms. In a large cell this is far tighter
 * than the lattice vector alone, and it decides how many image cells are searched.
 */
function nearestBound(lattice: Lattice, wrapped: readonly Vec3[]): number {
  const ownImage = Math.min(...lattice.map(norm));
  let bound = 0;
  wrapped.forEach((fi, i) => {
    let nearest = ownImage;
    wrapped.forEach((fj, j) => {
      if (j !== i) nearest = Math.min(nearest, norm(toCartesian(lattice, wrappedDifference(fi, fj))));
    });
    bound = Math.max(bound, nearest);
  });
  return bound;
}

/** fj - fi with each component wrapped into [-1/2, 1/2], which the image range of imageTranslations assumes. */
function wrappedDifference(fi: Vec3, fj: Vec3): Vec3 {
  return fj.map((x, k) => {
    const d = x - (fi[k] as number);
    return d - Math.round(d);
  }) as Vec3;
}

/** Squared distances from atom i to every atom or image within `radius`, with the other atom's index. */
function contactsOf(
  lattice: Lattice,
  images: readonly Vec3[],
  wrapped: readonly Vec3[],
  i: number,
  fi: Vec3,
  radius: number,
): { j: number; d2: number }[] {
  const limit = radius * radius;
  const out: { j: number; d2: number }[] = [];
  wrapped.forEach((fj, j) => {
    const r = toCartesian(lattice, wrappedDifference(fi, fj));
    images.forEach((s, t) => {
      // The atom itself, untranslated, is not its own neighbour; its images are.
      if (j === i && t === 0) return;
      const x = r[0] + s[0];
      const y = r[1] + s[1];
      const z = r[2] + s[2];
      const d2 = x * x + y * y + z * z;
      if (d2 <= limit) out.push({ j, d2 });
    });
  });
  return out;
}

/**
 * Lattice translations n0 a + n1 b + n2 c that can bring a wrapped difference within `radius`: a vector of
 * length r has a fractional component of at most r / width along each axis, and the wrapped difference adds at
 * most 1/2. The zero translation comes first.
 */
function imageTranslations(lattice: Lattice, radius: number): Vec3[] {
  const widths = planeSpacings(lattice);
  const reach = widths.map((w) => Math.ceil(radius / w + 0.5));
  const out: Vec3[] = [[0, 0, 0]];
  const [r0, r1, r2] = reach as [number, number, number];
  for (let n0 = -r0; n0 <= r0; n0++)
    for (let n1 = -r1; n1 <= r1; n1++)
      for (let n2 = -r2; n2 <= r2; n2++) {
        if (n0 !== 0 || n1 !== 0 || n2 !== 0) out.push(toCartesian(lattice, [n0, n1, n2]));
      }
  return out;
}
