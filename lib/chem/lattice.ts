/**
 * Geometry of a lattice given as three row vectors (any length unit; results are in the same unit): volume,
 * the spacing of each family of lattice planes, a reduced basis, and the cell's shape as lengths and angles.
 * Pure arithmetic on 3x3 matrices, for structure features (structure-features.ts).
 */
import type { Vec3 } from '../domain/geometry.js';

export type Lattice = readonly [Vec3, Vec3, Vec3];

export function dot(u: Vec3, v: Vec3): number {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

export function cross(u: Vec3, v: Vec3): Vec3 {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}

export function norm(u: Vec3): number {
  return Math.sqrt(dot(u, u));
}

function combine(n0: number, n1: number, n2: number, l: Lattice): Vec3 {
  const [a, b, c] = l;
  return [
    n0 * a[0] + n1 * b[0] + n2 * c[0],
    n0 * a[1] + n1 * b[1] + n2 * c[1],
    n0 * a[2] + n1 * b[2] + n2 * c[2],
  ];
}

/** Cell volume, always positive (a left-handed basis describes the same cell). */
export function latticeVolume(l: Lattice): number {
  return Math.abs(dot(l[0], cross(l[1], l[2])));
}

/**
 * Distance between neighbouring lattice planes spanned by the other two vectors, for each vector: the cell's
 * width along that axis. A sphere of radius R around a point reaches at most R / width cells along that axis,
 * whatever the angles, which is what bounds a periodic-image search in a skewed cell.
 */
export function planeSpacings(l: Lattice): Vec3 {
  const v = latticeVolume(l);
  return [v / norm(cross(l[1], l[2])), v / norm(cross(l[2], l[0])), v / norm(cross(l[0], l[1]))];
}

/** Cartesian position f0 a + f1 b + f2 c. */
export function toCartesian(l: Lattice, f: Vec3): Vec3 {
  return combine(f[0], f[1], f[2], l);
}

/** Fractional coordinates of a Cartesian position: dot products with the reciprocal vectors (b x c) / V etc. */
export function toFractional(l: Lattice, r: Vec3): Vec3 {
  const det = dot(l[0], cross(l[1], l[2]));
  return [dot(cross(l[1], l[2]), r) / det, dot(cross(l[2], l[0]), r) / det, dot(cross(l[0], l[1]), r) / det];
}

/** Relative change below which a reduction step counts as no progress (floating-point noise). */
const REDUCTION_EPS = 1e-9;
/** Far more passes than any real cell needs; stops a degenerate input from looping forever. */
const MAX_REDUCTION_PASSES = 200;

/**
 * A basis of the same lattice whose vectors are as short as possible, sorted by length: the greedy reduction of
 * Nguyen and Stehlé (ACM Trans. Algorithms 5, 46 (2009)), which in three dimensions gives a Minkowski-reduced
 * basis, so the lengths are the lattice's successive minima whatever setting the cell was written in. Each step
 * subtracts from the longest vector the lattice point of the plane of the other two closest to it.
 */
export function reducedBasis(l: Lattice): [Vec3, Vec3, Vec3] {
  const b = [...l].sort((u, v) => dot(u, u) - dot(v, v)) as [Vec3, Vec3, Vec3];
  for (let pass = 0; pass < MAX_REDUCTION_PASSES; pass++) {
    reducePair(b);
    const shorter = subtract(b[2], closestInPlane(b[0], b[1], b[2]));
    if (dot(shorter, shorter) >= dot(b[1], b[1]) * (1 - REDUCTION_EPS)) {
      if (dot(shorter, shorter) < dot(b[2], b[2]) * (1 - REDUCTION_EPS)) b[2] = shorter;
      return b;
    }
    b[2] = shorter;
    b.sort((u, v) => dot(u, u) - dot(v, v));
  }
  return b;
}

/** Lagrange-Gauss reduction of b[0], b[1] in place: the shortest basis of the plane lattice they span. */
function reducePair(b: [Vec3, Vec3, Vec3]): void {
  for (let pass = 0; pass < MAX_REDUCTION_PASSES; pass++) {
    if (dot(b[1], b[1]) < dot(b[0], b[0])) [b[0], b[1]] = [b[1], b[0]];
    const k = Math.round(dot(b[0], b[1]) / dot(b[0], b[0]));
    if (k === 0) return;
    const next = subtract(b[1], scale(b[0], k));
    if (dot(next, next) >= dot(b[1], b[1]) * (1 - REDUCTION_EPS)) return;
    b[1] = next;
  }
}

/**
 * The point of the plane lattice {u, v} (Gauss-reduced) closest to t. Rounding the coordinates of t's projection
 * can miss it by one step in either direction for an oblique basis, so the neighbours of the rounded point are
 * tried as well.
 */
function closestInPlane(u: Vec3, v: Vec3, t: Vec3): Vec3 {
  const uu = dot(u, u);
  const vv = dot(v, v);
  const uv = dot(u, v);
  const det = uu * vv - uv * uv;
  const tu = dot(t, u);
  const tv = dot(t, v);
  const x = Math.round((tu * vv - tv * uv) / det);
  const y = Math.round((tv * uu - tu * uv) / det);
  let best: Vec3 = [0, 0, 0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = x - 1; i <= x + 1; i++) {
    for (let j = y - 1; j <= y + 1; j++) {
      const p: Vec3 = [i * u[0] + j * v[0], i * u[1] + j * v[1], i * u[2] + j * v[2]];
      const d = subtract(t, p);
      const distance = dot(d, d);
      if (distance < bestDistance) {
        best = p;
        bestDistance = distance;
      }
    }
  }
  return best;
}

function subtract(u: Vec3, v: Vec3): Vec3 {
  return [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
}

function scale(u: Vec3, k: number): Vec3 {
  return [u[0] * k, u[1] * k, u[2] * k];
}

/** Lengths sorted a <= b <= c, and the angles (degrees) alpha = (b, c), beta = (a, c), gamma = (a, b). */
export interface LatticeShape {
  lengths: Vec3;
  angles: Vec3;
}

/** Lengths closer than this (relative) are the same length: the order of such vectors is a matter of setting. */
const SAME_LENGTH = 1e-6;

/**
 * The shape of the reduced cell, written so that two settings of one lattice agree where they can: lengths
 * sorted; each angle folded into [0, 90] degrees, because flipping a vector's sign (a choice of setting) turns
 * theta into 180 - theta; and among vectors of equal length, whose order is also a choice, the angles opposite
 * them sorted.
 */
export function latticeShape(l: Lattice): LatticeShape {
  const b = reducedBasis(l);
  const lengths = b.map(norm) as Vec3;
  const fold = (u: Vec3, v: Vec3) =>
    (Math.acos(Math.min(1, Math.abs(dot(u, v)) / (norm(u) * norm(v)))) * 180) / Math.PI;
  const angles: Vec3 = [fold(b[1], b[2]), fold(b[0], b[2]), fold(b[0], b[1])];
  const same = (i: 0 | 1, j: 1 | 2) =>
    Math.abs(lengths[i] - lengths[j]) <= SAME_LENGTH * Math.max(lengths[i], lengths[j]);
  const sortRange = (from: number, to: number) => {
    const part = angles.slice(from, to + 1).sort((p, q) => p - q);
    part.forEach((x, k) => {
      angles[from + k] = x;
    });
  };
  if (same(0, 1) && same(1, 2)) sortRange(0, 2);
  else if (same(0, 1)) sortRange(0, 1);
  else if (same(1, 2)) sortRange(1, 2);
  return { lengths, angles };
}
