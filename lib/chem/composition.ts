/**
 * Composition features for solids and molecules, in the manner of Magpie (Ward et al., npj Comput. Mater. 2,
 * 16028 (2016)): for each element property, statistics over the atoms of a formula weighted by atomic fraction:
 * mean, mean absolute deviation from that mean, minimum, maximum and range. Element data: element-properties.ts
 * (generated from the `mendeleev` package).
 *
 * Written here rather than taken from a library: matminer (Python) is the usual home of these features and has no
 * JavaScript counterpart; the arithmetic is a few lines.
 */
import { ELEMENT_PROPERTIES, ELEMENT_PROPERTY_NAMES } from './element-properties.js';

export class CompositionError extends Error {
  override name = 'CompositionError';
}

/** Element symbol -> count of atoms (fractional counts allowed). */
export type Composition = Record<string, number>;

const STATISTICS = ['mean', 'mad', 'min', 'max', 'range'] as const;

/** Names of the values compositionFeatures returns, in order: `<property>.<statistic>`, then `atoms`, `elements`. */
export const COMPOSITION_FEATURE_NAMES: readonly string[] = [
  ...ELEMENT_PROPERTY_NAMES.flatMap((p) => STATISTICS.map((s) => `${p}.${s}`)),
  'atoms',
  'elements',
];

/** The elements that have properties (H..Bi without the noble gases and the lanthanides Ce..Lu). */
export function hasElementProperties(symbol: string): boolean {
  return Object.hasOwn(ELEMENT_PROPERTIES, symbol);
}

/**
 * Parses a simple formula without brackets ("MgO", "C2H6O", "Ga0.5In0.5As"): element symbols, each with an
 * optional count. Repeated elements add up. Throws CompositionError naming the problem.
 */
export function parseFormula(formula: string): Composition {
  const out: Composition = {};
  const text = formula.trim();
  if (text === '') throw new CompositionError('empty formula');
  let rest = text;
  while (rest.length > 0) {
    const m = /^([A-Z][a-z]?)(\d+(?:\.\d+)?|\.\d+)?/.exec(rest);
    if (!m) throw new CompositionError(`formula "${formula}": cannot read "${rest}"`);
    const symbol = m[1] as string;
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (!(count > 0)) throw new CompositionError(`formula "${formula}": count of ${symbol} must be positive`);
    out[symbol] = (out[symbol] ?? 0) + count;
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The composition of a list of atoms (e.g. a molecule's or a cell's symbols). */
export function compositionOf(symbols: readonly string[]): Composition {
  const out: Composition = {};
  for (const s of symbols) out[s] = (out[s] ?? 0) + 1;
  return out;
}

/** A formula in alphabetical (Hill-like, without the carbon rule) order with counts > 1 written: "MgO", "C2H6O". */
export function formulaOf(c: Composition): string {
  return Object.keys(c)
    .sort()
    .map((s) => {
      const n = c[s] as number;
      return n === 1 ? s : `${s}${Number.isInteger(n) ? n : n.toPrecision(4)}`;
    })
    .join('');
}

/**
 * Magpie-style statistics of every element property over the composition, then the number of atoms and of
 * distinct elements. Throws CompositionError for an empty composition or an element without properties.
 */
export function compositionFeatures(c: Composition): number[] {
  const entries = Object.entries(c).filter(([, n]) => n > 0);
  if (entries.length === 0) throw new CompositionError('empty composition');
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const rows = entries.map(([symbol, n]) => {
    const values = ELEMENT_PROPERTIES[symbol];
    if (!values) {
      throw new CompositionError(
        `no element properties for "${symbol}" (covered: H..Bi without the noble gases and Ce..Lu)`,
      );
    }
    return { fraction: n / total, values };
  });
  const out: number[] = [];
  ELEMENT_PROPERTY_NAMES.forEach((_, p) => {
    let mean = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = r.values[p] as number;
      mean += r.fraction * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let mad = 0;
    for (const r of rows) mad += r.fraction * Math.abs((r.values[p] as number) - mean);
    out.push(mean, mad, min, max, max - min);
  });
  out.push(total, entries.length);
  return out;
}

/** One element property ('covalentRadius', 'z', ...) of an element; throws CompositionError when unknown. */
export function elementProperty(symbol: string, property: (typeof ELEMENT_PROPERTY_NAMES)[number]): number {
  const values = ELEMENT_PROPERTIES[symbol];
  if (!values) throw new CompositionError(`no element properties for "${symbol}"`);
  return values[ELEMENT_PROPERTY_NAMES.indexOf(property)] as number;
}
