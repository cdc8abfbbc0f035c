/**
 * Crystal prototypes for generated screening pools: each one a formula pattern (AB, AB2, ABX3), its sites in a
 * primitive cell, the nearest-neighbour bond that sets the cell's size, and the lattice constants that put that
 * bond at a given length. `prototypeCell` fills a prototype with elements and sizes it from the radii of
 * bond-length.ts.
 *
 * How close the estimate comes to experiment (room-temperature lattice constants, A; checked in
 * test/unit/crystal-prototypes.test.ts):
 *   MgO rock salt      Shannon   4.240 vs 4.212  (+0.7%)
 *   NaCl rock salt     Shannon   5.660 vs 5.640  (+0.4%)
 *   CsCl               Shannon   4.099 vs 4.123  (-0.6%; Cl- is listed at CN 6 only)
 *   GaAs zinc blende   covalent  5.658 vs 5.653  (+0.1%; Shannon has no As3-)
 *   ZnO wurtzite       Shannon   a 3.233 vs 3.250 (-0.5%), c 5.280 vs 5.207 (+1.4%; ideal c/a 1.633 vs 1.602)
 *   CaF2 fluorite      Shannon   5.612 vs 5.463  (+2.7%)
 *   SrTiO3 perovskite  Shannon   4.010 vs 3.905  (+2.7%; a = 2 d(Ti-O))
 * Covalent halide perovskites come out long (CsPbI3 6.78 vs 6.29 A, +8%): Shannon's radii are fitted to oxides
 * and fluorides.
 */
import { CRYSTAL_PROTOTYPES } from '../../lib/campaign/crystal-pool-schema.js';
import { compositionOf } from '../../lib/chem/composition.js';
import type { Coordination } from '../../lib/chem/ionic-radii.js';
import {
  COMMON_OXIDATION_STATES,
  chargeBalance,
  type OxidationStates,
} from '../../lib/chem/oxidation-states.js';
import type { Crystal, Vec3 } from '../../lib/domain/geometry.js';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { checkCrystal, fccLattice } from '../structure.js';
import { type BondEstimate, estimateBond } from './bond-length.js';

/** A site's part in the formula: A and B in every pattern, X only in ABX3. */
export type Role = 'A' | 'B' | 'X';
export type FormulaPattern = 'AB' | 'AB2' | 'ABX3';

export interface Site {
  role: Role;
  fractional: Readonly<Vec3>;
}

/** Lattice constants, in whatever unit the bond length was given: `c` only for the hexagonal prototypes. */
export interface LatticeConstants {
  a: number;
  c?: number;
}

export interface CrystalPrototype {
  /** What a materials scientist calls it, with its Strukturbericht symbol and space group. */
  description: string;
  pattern: FormulaPattern;
  /** The atoms of the primitive cell, in order. */
  sites: readonly Site[];
  /** The nearest-neighbour pair (cation site first) whose distance sets the cell. */
  bond: readonly [Role, Role];
  /** Coordination number of each bonded site: which Shannon radius applies. */
  coordination: Readonly<Partial<Record<Role, Coordination>>>;
  /** An ionic structure type: the covalent fallback expands its bond (bond-length.ts). */
  ionic: boolean;
  /** The lattice constants that put the bonded pair at distance d (same unit). */
  constants(d: number): LatticeConstants;
  /** Lattice rows for those constants. */
  lattice(k: LatticeConstants): [Vec3, Vec3, Vec3];
}

const cubic = (k: LatticeConstants): [Vec3, Vec3, Vec3] => [
  [k.a, 0, 0],
  [0, k.a, 0],
  [0, 0, k.a],
];
const fcc = (k: LatticeConstants) => fccLattice(k.a);

/** Ideal wurtzite: c/a = sqrt(8/3) and u = 3/8 make all four bonds of each atom equal, d = sqrt(3/8) a. */
const WURTZITE_C_OVER_A = Math.sqrt(8 / 3);
const WURTZITE_U = 3 / 8;

/** The prototype names, in registry order; the campaign schema's list, so a name without an entry cannot compile. */
export const PROTOTYPE_NAMES = CRYSTAL_PROTOTYPES;
export type PrototypeName = (typeof CRYSTAL_PROTOTYPES)[number];

export const PROTOTYPES: Readonly<Record<PrototypeName, CrystalPrototype>> = {
  rockSalt: {
    description: 'rock salt (B1, Fm-3m), e.g. MgO, NaCl: A and B each octahedral',
    pattern: 'AB',
    sites: [
      { role: 'A', fractional: [0, 0, 0] },
      { role: 'B', fractional: [0.5, 0.5, 0.5] },
    ],
    bond: ['A', 'B'],
    coordination: { A: 6, B: 6 },
    ionic: true,
    constants: (d) => ({ a: 2 * d }),
    lattice: fcc,
  },
  zincBlende: {
    description: 'zinc blende (B3, F-43m), e.g. GaAs, ZnS: A and B each tetrahedral',
    pattern: 'AB',
    sites: [
      { role: 'A', fractional: [0, 0, 0] },
      { role: 'B', fractional: [0.25, 0.25, 0.25] },
    ],
    bond: ['A', 'B'],
    coordination: { A: 4, B: 4 },
    ionic: false,
    constants: (d) => ({ a: (4 * d) / Math.sqrt(3) }),
    lattice: fcc,
  },
  wurtzite: {
    description: 'wurtzite (B4, P6_3mc), e.g. ZnO, GaN: hexagonal, ideal c/a and u, A and B each tetrahedral',
    pattern: 'AB',
    sites: [
      { role: 'A', fractional: [1 / 3, 2 / 3, 0] },
      { role: 'A', fractional: [2 / 3, 1 / 3, 0.5] },
      { role: 'B', fractional: [1 / 3, 2 / 3, WURTZITE_U] },
      { role: 'B', fractional: [2 / 3, 1 / 3, 0.5 + WURTZITE_U] },
    ],
    bond: ['A', 'B'],
    coordination: { A: 4, B: 4 },
    ionic: false,
    constants: (d) => {
      const a = d / Math.sqrt(3 / 8);
      return { a, c: WURTZITE_C_OVER_A * a };
    },
    // a1 along x, a2 at 120 degrees in the plane, c along z (ASE's hexagonal setting)
    lattice: (k) => [
      [k.a, 0, 0],
      [-k.a / 2, (k.a * Math.sqrt(3)) / 2, 0],
      [0, 0, k.c ?? WURTZITE_C_OVER_A * k.a],
    ],
  },
  cesiumChloride: {
    description: 'caesium chloride (B2, Pm-3m), e.g. CsCl, NiAl: A and B each cubic (8)',
    pattern: 'AB',
    sites: [
      { role: 'A', fractional: [0, 0, 0] },
      { role: 'B', fractional: [0.5, 0.5, 0.5] },
    ],
    bond: ['A', 'B'],
    coordination: { A: 8, B: 8 },
    ionic: true,
    constants: (d) => ({ a: (2 * d) / Math.sqrt(3) }),
    lattice: cubic,
  },
  fluorite: {
    description:
      'fluorite (C1, Fm-3m), e.g. CaF2, cubic ZrO2: A on fcc (8 B), B on the tetrahedral sites (4 A)',
    pattern: 'AB2',
    sites: [
      { role: 'A', fractional: [0, 0, 0] },
      { role: 'B', fractional: [0.25, 0.25, 0.25] },
      { role: 'B', fractional: [0.75, 0.75, 0.75] },
    ],
    bond: ['A', 'B'],
    coordination: { A: 8, B: 4 },
    ionic: true,
    constants: (d) => ({ a: (4 * d) / Math.sqrt(3) }),
    lattice: fcc,
  },
  perovskite: {
    description:
      'cubic perovskite (E2_1, Pm-3m), e.g. SrTiO3: A in the cube corner, B octahedral, X on the faces',
    pattern: 'ABX3',
    sites: [
      { role: 'A', fractional: [0, 0, 0] },
      { role: 'B', fractional: [0.5, 0.5, 0.5] },
      { role: 'X', fractional: [0.5, 0.5, 0] },
      { role: 'X', fractional: [0.5, 0, 0.5] },
      { role: 'X', fractional: [0, 0.5, 0.5] },
    ],
    // B-X (a/2) is the shortest bond and the stiff one; A-X (a/sqrt 2) follows, good or bad (tolerance factor)
    bond: ['B', 'X'],
    coordination: { B: 6, X: 6 },
    ionic: true,
    constants: (d) => ({ a: 2 * d }),
    lattice: cubic,
  },
};

/** Atoms of each role in one formula unit, in formula order. */
const FORMULA_UNITS: Readonly<Record<FormulaPattern, readonly (readonly [Role, number])[]>> = {
  AB: [
    ['A', 1],
    ['B', 1],
  ],
  AB2: [
    ['A', 1],
    ['B', 2],
  ],
  ABX3: [
    ['A', 1],
    ['B', 1],
    ['X', 3],
  ],
};

/** Element for each role of the pattern. */
export type RoleElements = Partial<Record<Role, string>>;

/**
 * The formula in the order of the roles ("MgO", "CaF2", "SrTiO3"), counts per primitive formula unit; an element
 * on two roles is written once, at the first ("Si2" for silicon on both zinc-blende sites).
 */
export function formulaFor(p: CrystalPrototype, elements: RoleElements): string {
  const counts = new Map<string, number>();
  for (const [role, n] of FORMULA_UNITS[p.pattern]) {
    const symbol = elementOf(elements, role);
    counts.set(symbol, (counts.get(symbol) ?? 0) + n);
  }
  return [...counts].map(([s, n]) => (n === 1 ? s : `${s}${n}`)).join('');
}

function elementOf(elements: RoleElements, role: Role): string {
  const symbol = elements[role];
  if (symbol === undefined) throw new Error(`no element for site ${role}`);
  return symbol;
}

export interface PrototypeCell {
  formula: string;
  /** The neutral assignment of oxidation states the estimate used, when the formula has one. */
  oxidationStates?: Record<string, number>;
  bond: BondEstimate;
  /** Lattice constants, angstrom (after the bohr rounding of the cell). */
  constants: LatticeConstants;
  crystal: Crystal;
}

/** Lattice constants are rounded to 1e-4 bohr so a cell (and its cache key) does not carry floating-point noise. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * A prototype filled with elements, sized so its bonded pair sits at the estimated distance (bond-length.ts).
 * `states` is the oxidation-state table the estimate balances the formula with.
 */
export function prototypeCell(
  p: CrystalPrototype,
  elements: RoleElements,
  states: OxidationStates = COMMON_OXIDATION_STATES,
): PrototypeCell {
  const formula = formulaFor(p, elements);
  const symbols = p.sites.map((s) => elementOf(elements, s.role));
  const assignment = chargeBalance(compositionOf(symbols), states);
  const [from, to] = p.bond;
  const bond = estimateBond(
    [
      { symbol: elementOf(elements, from), coordination: p.coordination[from] as Coordination },
      { symbol: elementOf(elements, to), coordination: p.coordination[to] as Coordination },
    ],
    assignment,
    p.ionic,
  );
  const exact = p.constants(bond.angstrom / ANGSTROM_PER_BOHR);
  const bohr: LatticeConstants =
    exact.c === undefined ? { a: round4(exact.a) } : { a: round4(exact.a), c: round4(exact.c) };
  const crystal = checkCrystal(
    {
      kind: 'crystal',
      lattice: p.lattice(bohr),
      symbols,
      fractional: p.sites.map((s) => [...s.fractional] as Vec3),
    },
    formula,
  );
  const constants: LatticeConstants = { a: bohr.a * ANGSTROM_PER_BOHR };
  if (bohr.c !== undefined) constants.c = bohr.c * ANGSTROM_PER_BOHR;
  return { formula, ...(assignment && { oxidationStates: assignment }), bond, constants, crystal };
}
