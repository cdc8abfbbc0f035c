/**
 * A screening pool generated from prototypes and element lists, as a campaign's `crystals.generate` describes it:
 * every prototype filled with every combination of the A, B (and, for ABX3, X) elements, sized from tabulated
 * radii (prototypes.ts). Nothing is filtered here: the pool's filters (filters.ts) and its symmetry key (which
 * also finds NaCl and ClNa rock salt to be one crystal) decide what stays, and count what does not.
 */
import { CompositionError, hasElementProperties } from '../../lib/chem/composition.js';
import type { Crystal } from '../../lib/domain/geometry.js';
import { elementSymbol } from '../elements.js';
import type { BondEstimate } from './bond-length.js';
import {
  type LatticeConstants,
  PROTOTYPES,
  type PrototypeName,
  prototypeCell,
  type RoleElements,
} from './prototypes.js';

export interface CrystalGenerationSpec {
  prototypes: readonly PrototypeName[];
  A: readonly string[];
  B: readonly string[];
  /** The X site of ABX3 prototypes; ignored by the others. */
  X?: readonly string[];
}

export interface GeneratedCrystal {
  /** Formula and prototype: "MgO-rockSalt", "SrTiO3-perovskite". */
  label: string;
  crystal: Crystal;
  prototype: PrototypeName;
  /** In site order, per formula unit: "CaF2". */
  formula: string;
  /** The oxidation states the size estimate balanced the formula with, when it has a neutral assignment. */
  oxidationStates?: Record<string, number>;
  /** How the cell was sized: the nearest-neighbour distance and where it came from. */
  bond: BondEstimate;
  /** Lattice constants, angstrom. */
  constants: LatticeConstants;
}

/**
 * The crystals of a spec, in a fixed order: prototypes as listed, then A, B and X as listed (a repeated element
 * counts once). Throws when an element is unknown or has no radii, or an ABX3 prototype has no X list.
 */
export function generateCrystals(spec: CrystalGenerationSpec): GeneratedCrystal[] {
  const A = elementList(spec.A, 'A');
  const B = elementList(spec.B, 'B');
  const X = spec.X && elementList(spec.X, 'X');
  const out: GeneratedCrystal[] = [];
  for (const name of new Set(spec.prototypes)) {
    const p = PROTOTYPES[name];
    if (p.pattern === 'ABX3' && !X) throw new Error(`prototype ${name} (ABX3) needs X, the anion site`);
    const fillings: RoleElements[] = A.flatMap((a) =>
      B.flatMap((b) =>
        p.pattern === 'ABX3' ? (X as string[]).map((x) => ({ A: a, B: b, X: x })) : [{ A: a, B: b }],
      ),
    );
    for (const elements of fillings) {
      const cell = prototypeCell(p, elements);
      out.push({
        label: `${cell.formula}-${name}`,
        crystal: cell.crystal,
        prototype: name,
        formula: cell.formula,
        ...(cell.oxidationStates && { oxidationStates: cell.oxidationStates }),
        bond: cell.bond,
        constants: cell.constants,
      });
    }
  }
  return out;
}

/** The list's elements in their usual spelling, each once; throws naming the site for one cascade cannot size. */
function elementList(symbols: readonly string[], site: string): string[] {
  return [
    ...new Set(
      symbols.map((s) => {
        const symbol = elementSymbol(s.trim());
        if (!symbol) throw new CompositionError(`site ${site}: "${s}" is not an element`);
        if (!hasElementProperties(symbol)) {
          throw new CompositionError(
            `site ${site}: no radii for ${symbol} (covered: H..Bi without the noble gases and Ce..Lu)`,
          );
        }
        return symbol;
      }),
    ),
  ];
}
