/**
 * Common oxidation states of the elements, and the charge-neutrality test that screening pools use: a formula
 * is neutral when one state per element, weighted by the element's count, sums to zero.
 *
 * Source: the "Common oxidation states" of pymatgen-core 2026.10.16 (`pymatgen/core/periodic_table.json`, read
 * for the facts; MIT licence), for the elements of element-properties.ts (H..Bi without the noble gases and
 * Ce..Lu). The one change: carbon's 0 is left out, since an atom in a neutral state is not an ion. The list is
 * deliberately short (Cu is only +2, Ti only +4, Mn +2/+4/+7): a formula it makes neutral is a likely compound,
 * at the price of missing some (CuCl, LaMnO3, SrVO3).
 *
 * Which elements are anions: an assignment counts only when every element given a negative state is more
 * electronegative (Pauling) than every element given a positive one, the "Pauling test" of SMACT (Davies et al.,
 * Chem 1, 617 (2016)). Without it SnTe would first balance as Sn-4 Te+4; with it, as Sn+2 Te-2.
 */
import type { Composition } from './composition.js';
import { ELEMENT_PROPERTIES, ELEMENT_PROPERTY_NAMES } from './element-properties.js';

/** Element symbol -> its oxidation states, ascending. */
export type OxidationStates = Readonly<Record<string, readonly number[]>>;

export const COMMON_OXIDATION_STATES: OxidationStates = {
  H: [-1, 1],
  Li: [1],
  Be: [2],
  B: [3],
  C: [-4, -3, -2, -1, 1, 2, 3, 4],
  N: [-3, 3, 5],
  O: [-2],
  F: [-1],
  Na: [1],
  Mg: [2],
  Al: [3],
  Si: [-4, 4],
  P: [-3, 3, 5],
  S: [-2, 2, 4, 6],
  Cl: [-1, 1, 3, 5, 7],
  K: [1],
  Ca: [2],
  Sc: [3],
  Ti: [4],
  V: [5],
  Cr: [3, 6],
  Mn: [2, 4, 7],
  Fe: [2, 3],
  Co: [2, 3],
  Ni: [2],
  Cu: [2],
  Zn: [2],
  Ga: [3],
  Ge: [-4, 2, 4],
  As: [-3, 3, 5],
  Se: [-2, 2, 4, 6],
  Br: [-1, 1, 3, 5],
  Rb: [1],
  Sr: [2],
  Y: [3],
  Zr: [4],
  Nb: [5],
  Mo: [4, 6],
  Tc: [4, 7],
  Ru: [3, 4],
  Rh: [3],
  Pd: [2, 4],
  Ag: [1],
  Cd: [2],
  In: [3],
  Sn: [-4, 2, 4],
  Sb: [-3, 3, 5],
  Te: [-2, 2, 4, 6],
  I: [-1, 1, 3, 5, 7],
  Cs: [1],
  Ba: [2],
  La: [3],
  Hf: [4],
  Ta: [5],
  W: [4, 6],
  Re: [4, 7],
  Os: [4],
  Ir: [3, 4],
  Pt: [2, 4],
  Au: [3],
  Hg: [1, 2],
  Tl: [1, 3],
  Pb: [2, 4],
  Bi: [3],
  Po: [-2, 2, 4],
  At: [-1, 1],
};

/** Element -> the oxidation state it takes in a neutral assignment. */
export type Assignment = Record<string, number>;

const ELECTRONEGATIVITY = ELEMENT_PROPERTY_NAMES.indexOf('electronegativity');

function electronegativity(symbol: string): number | undefined {
  return ELEMENT_PROPERTIES[symbol]?.[ELECTRONEGATIVITY];
}

/**
 * Every assignment of one state per element that makes the composition neutral and passes the Pauling test, in
 * a fixed order: elements as the composition lists them, each element's states in the table's order. Empty when
 * an element has no states in the table or no electronegativity.
 */
export function neutralAssignments(
  c: Composition,
  states: OxidationStates = COMMON_OXIDATION_STATES,
): Assignment[] {
  const elements = Object.keys(c).filter((s) => (c[s] ?? 0) > 0);
  if (elements.length === 0) return [];
  const choices = elements.map((s) => states[s] ?? []);
  const chi = elements.map(electronegativity);
  if (choices.some((l) => l.length === 0) || chi.some((x) => x === undefined)) return [];
  const out: Assignment[] = [];
  const picked: number[] = [];
  const visit = (i: number, charge: number) => {
    if (i === elements.length) {
      if (Math.abs(charge) < 1e-9 && paulingOrdered(picked, chi as number[])) {
        out.push(Object.fromEntries(elements.map((s, k) => [s, picked[k] as number])));
      }
      return;
    }
    for (const q of choices[i] as readonly number[]) {
      picked[i] = q;
      visit(i + 1, charge + q * (c[elements[i] as string] as number));
    }
  };
  visit(0, 0);
  return out;
}

/** The first neutral assignment (see neutralAssignments), or undefined when there is none. */
export function chargeBalance(
  c: Composition,
  states: OxidationStates = COMMON_OXIDATION_STATES,
): Assignment | undefined {
  return neutralAssignments(c, states)[0];
}

/** Every negative element more electronegative than every positive one. */
function paulingOrdered(charges: readonly number[], chi: readonly number[]): boolean {
  let maxCation = Number.NEGATIVE_INFINITY;
  let minAnion = Number.POSITIVE_INFINITY;
  charges.forEach((q, k) => {
    const x = chi[k] as number;
    if (q > 0) maxCation = Math.max(maxCation, x);
    if (q < 0) minAnion = Math.min(minAnion, x);
  });
  return maxCation < minAnion;
}
