/**
 * The nearest-neighbour distance a generated crystal is built around, from tabulated radii: a cell a screening
 * campaign starts from (and relaxes, if it wants equilibrium), not a prediction.
 *
 * Two rules, the first that applies:
 * 1. Shannon: the formula has a neutral assignment of common oxidation states (lib/chem/oxidation-states.ts),
 *    the bonded pair is a cation and an anion, and both ions are in Shannon's table: the sum of their ionic radii
 *    at the prototype's coordination numbers (lib/chem/ionic-radii.ts).
 * 2. Covalent: the sum of the two single-bond covalent radii (Pyykko), times IONIC_EXPANSION in the ionic
 *    prototypes. This covers covalent compounds whose anion Shannon does not list (GaAs, SiC, InP), formulas
 *    without a neutral assignment (intermetallics, and whatever a filter will reject) and elements with one
 *    atom on both sites.
 *
 * Shannon is the first choice because the covalent rule has no single expansion that fits ionic crystals:
 * oxygen's covalent radius (0.63 A) is far below its ionic one (1.40 A), so 1.1 x covalent puts SrTiO3 at
 * a = 4.38 A (+12%) and CaF2 at 5.97 A (+9%), while without the factor ZnO misses by -9%.
 */
import { elementProperty } from '../../lib/chem/composition.js';
import { type Coordination, ionicRadius, ionName } from '../../lib/chem/ionic-radii.js';
import type { Assignment } from '../../lib/chem/oxidation-states.js';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';

/**
 * Nearest-neighbour distance over the covalent-radius sum in the ionic prototypes, when the covalent rule is
 * used. Why 1.1: activities/cbs/cells.ts (Elk did not converge for NaF compressed to the plain sum).
 */
export const IONIC_EXPANSION = 1.1;

/** Sum of the single-bond covalent radii (Pyykko) of two elements, in bohr. */
export function covalentBondBohr(a: string, b: string): number {
  return covalentBondAngstrom(a, b) / ANGSTROM_PER_BOHR;
}

function covalentBondAngstrom(a: string, b: string): number {
  return (elementProperty(a, 'covalentRadius') + elementProperty(b, 'covalentRadius')) / 100;
}

/** One end of the bond that sets a cell: the element and the coordination number of its site. */
export interface BondEnd {
  symbol: string;
  coordination: Coordination;
}

export interface BondEstimate {
  /** Nearest-neighbour distance, angstrom. */
  angstrom: number;
  method: 'shannon' | 'covalent';
  /** The sum it came from, for a reader: "Mg2+ (CN 6) 0.72 + O2- (CN 6) 1.4 A". */
  basis: string;
}

/**
 * The distance between the two ends of a prototype's nearest-neighbour bond. `assignment` is the formula's
 * neutral assignment of oxidation states, if it has one; `ionic` says whether the prototype is an ionic one
 * (IONIC_EXPANSION applies to the covalent rule).
 */
export function estimateBond(
  ends: readonly [BondEnd, BondEnd],
  assignment: Assignment | undefined,
  ionic: boolean,
): BondEstimate {
  const shannon = assignment && shannonBond(ends, assignment);
  if (shannon) return shannon;
  const [p, q] = ends;
  const factor = ionic ? IONIC_EXPANSION : 1;
  const sum = covalentBondAngstrom(p.symbol, q.symbol);
  return {
    angstrom: factor * sum,
    method: 'covalent',
    basis:
      `${ionic ? `${IONIC_EXPANSION} x ` : ''}covalent radii ${p.symbol} ` +
      `${elementProperty(p.symbol, 'covalentRadius') / 100} + ${q.symbol} ${elementProperty(q.symbol, 'covalentRadius') / 100} A`,
  };
}

function shannonBond(ends: readonly [BondEnd, BondEnd], assignment: Assignment): BondEstimate | undefined {
  const [p, q] = ends;
  const qp = assignment[p.symbol];
  const qq = assignment[q.symbol];
  // radii add up only between a cation and an anion
  if (qp === undefined || qq === undefined || Math.sign(qp) === Math.sign(qq)) return undefined;
  const rp = ionicRadius(p.symbol, qp, p.coordination);
  const rq = ionicRadius(q.symbol, qq, q.coordination);
  if (rp === undefined || rq === undefined) return undefined;
  // the coordination shown is the one the radius was listed at, which may be the nearest to the site's
  return {
    angstrom: rp.radius + rq.radius,
    method: 'shannon',
    basis:
      `${ionName(p.symbol, qp)} (CN ${rp.coordination}) ${rp.radius} + ` +
      `${ionName(q.symbol, qq)} (CN ${rq.coordination}) ${rq.radius} A`,
  };
}
