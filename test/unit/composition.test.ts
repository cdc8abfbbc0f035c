import { describe, expect, it } from 'vitest';
import {
  COMPOSITION_FEATURE_NAMES,
  CompositionError,
  compositionFeatures,
  compositionOf,
  elementProperty,
  formulaOf,
  parseFormula,
} from '../../lib/chem/composition.js';

describe('formulas', () => {
  it('parses counts, fractions and repeated elements', () => {
    expect(parseFormula('MgO')).toEqual({ Mg: 1, O: 1 });
    expect(parseFormula('C2H6O')).toEqual({ C: 2, H: 6, O: 1 });
    expect(parseFormula('Ga0.5In0.5As')).toEqual({ Ga: 0.5, In: 0.5, As: 1 });
    expect(parseFormula('CH3CH2OH')).toEqual({ C: 2, H: 6, O: 1 });
  });

  it('rejects what is not a formula', () => {
    expect(() => parseFormula('')).toThrow(CompositionError);
    expect(() => parseFormula('mgo')).toThrow(/cannot read "mgo"/);
    expect(() => parseFormula('Mg0O')).toThrow(/count of Mg must be positive/);
  });

  it('writes formulas back in alphabetical order', () => {
    expect(formulaOf(compositionOf(['O', 'H', 'H']))).toBe('H2O');
    expect(formulaOf({ Mg: 1, O: 1 })).toBe('MgO');
  });
});

describe('composition features', () => {
  const at = (features: number[], name: string) => features[COMPOSITION_FEATURE_NAMES.indexOf(name)];

  it('gives fraction-weighted statistics of element properties', () => {
    const f = compositionFeatures({ Mg: 1, O: 1 });
    expect(f).toHaveLength(COMPOSITION_FEATURE_NAMES.length);
    expect(at(f, 'z.mean')).toBe(10);
    expect(at(f, 'z.mad')).toBe(2);
    expect(at(f, 'z.min')).toBe(8);
    expect(at(f, 'z.max')).toBe(12);
    expect(at(f, 'z.range')).toBe(4);
    expect(at(f, 'atoms')).toBe(2);
    expect(at(f, 'elements')).toBe(2);
    // water: two thirds hydrogen
    const w = compositionFeatures({ H: 2, O: 1 });
    expect(at(w, 'z.mean')).toBeCloseTo((2 * 1 + 8) / 3, 12);
    expect(at(w, 'electronegativity.max')).toBeCloseTo(3.44, 2);
  });

  it('depends on proportions, not on the size of the formula unit', () => {
    const a = compositionFeatures({ Ga: 1, As: 1 });
    const b = compositionFeatures({ Ga: 4, As: 4 });
    expect(b.slice(0, -2)).toEqual(a.slice(0, -2));
  });

  it('reads element data generated from mendeleev', () => {
    expect(elementProperty('C', 'z')).toBe(6);
    expect(elementProperty('Cu', 'valenceD')).toBe(10);
    expect(elementProperty('Ga', 'valenceP')).toBe(1);
    expect(elementProperty('O', 'covalentRadius')).toBe(63);
  });

  it('names elements it has no data for', () => {
    expect(() => compositionFeatures({ Ne: 1 })).toThrow(/no element properties for "Ne"/);
    expect(() => compositionFeatures({})).toThrow(/empty composition/);
  });
});
