/**
 * Features of a crystal for the surrogates: composition statistics (composition.ts), descriptors of the
 * structure itself, and the crystal system. Structure descriptors follow the usual choices for materials
 * models (matminer's DensityFeatures, a nearest-neighbour coordination analysis, the cell's shape), written
 * here because they are a few lines of geometry on our own Crystal type.
 *
 * Everything per atom or per formula unit, so the features of a cell and of its supercells agree, except the
 * cell's shape (a supercell is a different lattice); nothing depends on the order of the atoms.
 */
import type { Crystal } from '../domain/geometry.js';
import { ANGSTROM_PER_BOHR, GRAMS_PER_DALTON } from '../domain/units.js';
import {
  COMPOSITION_FEATURE_NAMES,
  type Composition,
  compositionFeatures,
  compositionOf,
  elementProperty,
} from './composition.js';
import {
  type Lattice,
  latticeShape,
  latticeVolume,
  reducedBasis,
  toCartesian,
  toFractional,
} from './lattice.js';
import { DEFAULT_SHELL_TOLERANCE, nearestNeighbours } from './neighbours.js';

export class CrystalFeatureError extends Error {
  override name = 'CrystalFeatureError';
}

/** Names of structureFeatures' values, in order. Lengths in angstrom, angles in degrees. */
export const STRUCTURE_FEATURE_NAMES: readonly string[] = [
  'volumePerAtom',
  'density',
  'packingFraction',
  'coordination.mean',
  'coordination.min',
  'coordination.max',
  'nearestOverCovalent.mean',
  'nearestOverCovalent.min',
  'nearestOverCovalent.max',
  'lattice.bOverA',
  'lattice.cOverA',
  'lattice.alpha',
  'lattice.beta',
  'lattice.gamma',
];

/** The seven crystal systems and the last space group number (International Tables) of each. */
const CRYSTAL_SYSTEMS = [
  ['triclinic', 2],
  ['monoclinic', 15],
  ['orthorhombic', 74],
  ['tetragonal', 142],
  ['trigonal', 167],
  ['hexagonal', 194],
  ['cubic', 230],
] as const;

/** Names of crystalFeatures' values: composition, structure, then the crystal system one-hot. */
export const CRYSTAL_FEATURE_NAMES: readonly string[] = [
  ...COMPOSITION_FEATURE_NAMES,
  ...STRUCTURE_FEATURE_NAMES,
  ...CRYSTAL_SYSTEMS.map(([name]) => `crystalSystem.${name}`),
];

const CM3_PER_ANGSTROM3 = 1e-24;
const ANGSTROM_PER_PICOMETRE = 0.01;
/** Cells smaller than this (angstrom^3 per atom) have (nearly) dependent lattice vectors. */
const MIN_VOLUME_PER_ATOM = 1e-6;

/**
 * Composition features of the formula unit, then structure features, then the crystal system as a one-hot of
 * seven (all zero when the space group is not known). Throws CompositionError for an element without
 * properties, CrystalFeatureError for a cell that is not one.
 */
export function crystalFeatures(c: Crystal, extra: { spaceGroup?: number } = {}): number[] {
  return [
    ...compositionFeatures(formulaUnit(compositionOf(c.symbols))),
    ...structureFeatures(c),
    ...crystalSystemOneHot(extra.spaceGroup),
  ];
}

/** The values named by STRUCTURE_FEATURE_NAMES for one cell. */
export function structureFeatures(c: Crystal, tolerance = DEFAULT_SHELL_TOLERANCE): number[] {
  checkCell(c);
  const n = c.symbols.length;
  const original = c.lattice.map((v) => v.map((x) => x * ANGSTROM_PER_BOHR)) as unknown as Lattice;
  // The neighbour search is exact in any setting, but a reduced cell needs the fewest image cells.
  const lattice = reducedBasis(original);
  const fractional = c.fractional.map((f) => toFractional(lattice, toCartesian(original, f)));
  const volume = latticeVolume(lattice);
  const radii = c.symbols.map((s) => elementProperty(s, 'covalentRadius') * ANGSTROM_PER_PICOMETRE);
  const mass = c.symbols.reduce((sum, s) => sum + elementProperty(s, 'mass'), 0);
  const spheres = radii.reduce((sum, r) => sum + (4 / 3) * Math.PI * r ** 3, 0);

  const neighbours = nearestNeighbours(lattice, fractional, tolerance);
  const coordination = neighbours.map((a) => a.coordination);
  // Against the bond the two atoms would make; among tied nearest atoms the tightest contact.
  const overCovalent = neighbours.map((a, i) =>
    Math.min(...a.nearest.map((j) => a.distance / ((radii[i] as number) + (radii[j] as number)))),
  );
  const { lengths, angles } = latticeShape(lattice);
  return [
    volume / n,
    (mass * GRAMS_PER_DALTON) / (volume * CM3_PER_ANGSTROM3),
    spheres / volume,
    ...summary(coordination),
    ...summary(overCovalent),
    lengths[1] / lengths[0],
    lengths[2] / lengths[0],
    ...angles,
  ];
}

/** The crystal system of a space group number as seven 0/1 values; all zero when the number is not given. */
export function crystalSystemOneHot(spaceGroup: number | undefined): number[] {
  const out = CRYSTAL_SYSTEMS.map(() => 0);
  if (spaceGroup === undefined) return out;
  if (!(Number.isInteger(spaceGroup) && spaceGroup >= 1 && spaceGroup <= 230)) {
    throw new CrystalFeatureError(`space group number must be an integer 1-230, got ${spaceGroup}`);
  }
  out[CRYSTAL_SYSTEMS.findIndex(([, last]) => spaceGroup <= last)] = 1;
  return out;
}

/**
 * The composition divided by the greatest common divisor of its counts: the formula unit, the same for a cell
 * and its supercells (so the `atoms` feature counts atoms per formula unit, not per cell).
 */
export function formulaUnit(c: Composition): Composition {
  const counts = Object.values(c);
  if (!counts.every((x) => Number.isInteger(x) && x > 0)) return c;
  const divisor = counts.reduce(gcd);
  return Object.fromEntries(Object.entries(c).map(([s, x]) => [s, x / divisor]));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function summary(values: readonly number[]): [number, number, number] {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return [mean, Math.min(...values), Math.max(...values)];
}

function checkCell(c: Crystal): void {
  const finite = (v: readonly number[]) => v.length === 3 && v.every(Number.isFinite);
  if (c.symbols.length === 0) throw new CrystalFeatureError('crystal has no atoms');
  if (c.fractional.length !== c.symbols.length) {
    throw new CrystalFeatureError(`${c.symbols.length} species but ${c.fractional.length} positions`);
  }
  if (!(c.lattice.length === 3 && c.lattice.every(finite) && c.fractional.every(finite))) {
    throw new CrystalFeatureError('lattice and positions must be vectors of three finite numbers');
  }
  const volume = latticeVolume(c.lattice) * ANGSTROM_PER_BOHR ** 3;
  if (!(volume / c.symbols.length > MIN_VOLUME_PER_ATOM)) {
    throw new CrystalFeatureError(`lattice vectors are (nearly) linearly dependent: volume ${volume} A^3`);
  }
}
