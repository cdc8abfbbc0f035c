/**
 * Crystal cells for the basis-set data set: binary prototypes and elemental fcc solids, with lattice constants
 * estimated from covalent radii. The target of the data set is the basis-set error at a fixed geometry, so the
 * cells need to be reasonable, not relaxed: nearest neighbours sit at the sum of the two elements' single-bond
 * covalent radii (Pyykko), times 1.1 in the ionic prototypes (rock salt, CsCl). The plain sum matches the
 * covalent zinc blendes (GaAs 2.45 vs 2.45 A) but compresses ionic crystals (NaCl 2.54 vs 2.82 A), and Elk's
 * SCF did not converge for NaF compressed that much (800 loops) while it took 23 loops at the experimental
 * lattice; with the factor, NaCl is at 2.79 A, LiF 2.17 (2.01), MgO 2.22 (2.11), CsCl 3.64 (3.57). Elk shrinks
 * its muffin-tin spheres where they would touch.
 */

import type { Prototype } from '../../lib/cbs/dataset-config.js';
import { parseFormula } from '../../lib/chem/composition.js';
import { covalentBondBohr, IONIC_EXPANSION } from '../../qm/crystal/bond-length.js';
import { PROTOTYPES } from '../../qm/crystal/prototypes.js';
import { cesiumChloride, checkCrystal, fccLattice, rockSalt, zincBlende } from '../../qm/structure.js';
import type { Crystal } from '../../qm/template.js';

/** Cubic lattice constant (bohr) that puts nearest neighbours at distance d in a prototype. */
export function cubicConstant(prototype: Prototype | 'fcc', d: number): number {
  return prototype === 'fcc' ? Math.SQRT2 * d : PROTOTYPES[prototype].constants(d).a;
}

/** The two elements of a binary formula, in the order written ("GaAs" -> ["Ga", "As"]). */
export function binaryElements(formula: string): [string, string] {
  const elements = Object.keys(parseFormula(formula));
  if (elements.length !== 2) throw new Error(`"${formula}" is not a binary formula`);
  return elements as [string, string];
}

export interface Cell {
  /** Compound name: the formula for binaries, the symbol for elements. */
  compound: string;
  prototype: Prototype | 'fcc';
  latticeConstantBohr: number;
  crystal: Crystal;
}

/** Rounded to 1e-4 bohr so the cell (and its cache key) does not depend on floating-point noise. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function binaryCell(prototype: Prototype, formula: string): Cell {
  const [a, b] = binaryElements(formula);
  const expansion = prototype === 'zincBlende' ? 1 : IONIC_EXPANSION;
  const constant = round4(cubicConstant(prototype, expansion * covalentBondBohr(a, b)));
  const build = { rockSalt, zincBlende, cesiumChloride }[prototype];
  return { compound: formula, prototype, latticeConstantBohr: constant, crystal: build(a, b, constant) };
}

/**
 * An element as a one-atom fcc solid, nearest neighbours at 1.1 times twice its covalent radius: metallic radii
 * exceed covalent ones (Cd: 2 x 1.36 A covalent, 2.98 A in the metal), and Elk's SCF for fcc Cd at the covalent
 * spacing ran 490 loops without converging.
 */
export function elementCell(symbol: string): Cell {
  const constant = round4(cubicConstant('fcc', IONIC_EXPANSION * covalentBondBohr(symbol, symbol)));
  const crystal = checkCrystal(
    {
      kind: 'crystal',
      lattice: fccLattice(constant),
      symbols: [symbol],
      fractional: [[0, 0, 0]],
    },
    `fcc ${symbol}`,
  );
  return { compound: symbol, prototype: 'fcc', latticeConstantBohr: constant, crystal };
}
