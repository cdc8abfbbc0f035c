/**
 * The filters of a crystal pool (`crystals.filters`): allowed elements, atoms per cell and charge neutrality.
 * Each drop says why in two parts, as the molecule filters of activities/campaign/pool.ts do: a reason the pool
 * summary counts ("not charge-neutral") and a detail for the examples it keeps ("no common oxidation states make
 * MgCl neutral: Mg +2; Cl -1 +1 +3 +5 +7").
 */
import { type Composition, compositionOf } from '../../lib/chem/composition.js';
import { COMMON_OXIDATION_STATES, chargeBalance } from '../../lib/chem/oxidation-states.js';
import type { Crystal } from '../../lib/domain/geometry.js';

export interface CrystalFilterSettings {
  /** Allowed elements; a crystal with any other is dropped. */
  elements?: readonly string[];
  /** Most atoms a cell may hold. */
  maxAtoms?: number;
  /** Drop formulas no combination of common oxidation states makes neutral (lib/chem/oxidation-states.ts). */
  chargeNeutral?: boolean;
}

export interface CrystalRejection {
  reason: string;
  detail: string;
}

/** Why the filters drop this crystal, or undefined when it stays. Cheap checks first. */
export function crystalProblem(c: Crystal, f: CrystalFilterSettings): CrystalRejection | undefined {
  const composition = compositionOf(c.symbols);
  if (f.elements) {
    const allowed = new Set(f.elements);
    const foreign = Object.keys(composition).filter((s) => !allowed.has(s));
    if (foreign.length > 0)
      return { reason: 'element not allowed', detail: `${foreign.join(', ')} not allowed` };
  }
  if (f.maxAtoms !== undefined && c.symbols.length > f.maxAtoms) {
    return { reason: 'too many atoms', detail: `${c.symbols.length} atoms in the cell (max ${f.maxAtoms})` };
  }
  if (f.chargeNeutral) return neutralityProblem(composition);
  return undefined;
}

/** Why a composition is not charge-neutral on common oxidation states, or undefined when it is. */
export function neutralityProblem(composition: Composition): CrystalRejection | undefined {
  if (chargeBalance(composition)) return undefined;
  const formula = reducedFormula(composition);
  const unknown = Object.keys(composition).filter((s) => !COMMON_OXIDATION_STATES[s]);
  if (unknown.length > 0) {
    return {
      reason: 'not charge-neutral',
      detail: `no common oxidation states known for ${unknown.join(', ')}`,
    };
  }
  const states = Object.keys(composition)
    .map((s) => `${s} ${(COMMON_OXIDATION_STATES[s] ?? []).map(signed).join(' ')}`)
    .join('; ');
  return {
    reason: 'not charge-neutral',
    detail: `no common oxidation states make ${formula} neutral: ${states}`,
  };
}

const signed = (q: number) => (q > 0 ? `+${q}` : `${q}`);

/** The formula with counts divided by their greatest common divisor, elements in the order given: "MgCl", "CaF2". */
export function reducedFormula(composition: Composition): string {
  const entries = Object.entries(composition);
  const divisor = entries.reduce((g, [, n]) => gcd(g, n), 0) || 1;
  return entries.map(([s, n]) => (n / divisor === 1 ? s : `${s}${n / divisor}`)).join('');
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
