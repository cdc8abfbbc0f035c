/**
 * Molecular geometries as data: element counts, XYZ text in and out, and a canonical form for cache keys.
 */
import { compareAtoms, decimal, quantise, withHash } from './canonical.js';
import { elementNumber, normaliseSymbol } from './elements.js';
import type { Geometry, Vec3 } from './template.js';

/** Molecules take elements H..Rn: the range the GFN methods are parametrised for. */
const HEAVIEST_ELEMENT = 86;

/** Atomic number of an element symbol (any capitalisation), or undefined when unknown or past Rn. */
export function atomicNumber(symbol: string): number | undefined {
  const z = elementNumber(symbol);
  return z !== undefined && z <= HEAVIEST_ELEMENT ? z : undefined;
}

/** Number of electrons of the geometry at the given total charge. */
export function electronCount(symbols: readonly string[], charge: number): number {
  let z = 0;
  for (const s of symbols) {
    const n = atomicNumber(s);
    if (n === undefined) throw new Error(`unknown element symbol "${s}"`);
    z += n;
  }
  return z - charge;
}

/** Lowest spin multiplicity compatible with the electron count: 1 for even, 2 for odd. */
export function lowestMultiplicity(symbols: readonly string[], charge: number): number {
  return Math.abs(electronCount(symbols, charge)) % 2 === 0 ? 1 : 2;
}

/**
 * Reads the first frame of an XYZ file. Charge defaults to 0 and multiplicity to the lowest one the
 * electron count allows; XYZ carries neither.
 */
export function parseXyz(text: string, state: { charge?: number; multiplicity?: number } = {}): Geometry {
  const lines = text.split(/\r?\n/);
  const n = Number.parseInt(lines[0]?.trim() ?? '', 10);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`XYZ: first line must be a positive atom count, got "${lines[0]}"`);
  if (lines.length < n + 2)
    throw new Error(`XYZ: expected ${n} atom lines, found ${Math.max(0, lines.length - 2)}`);
  const symbols: string[] = [];
  const coords: Vec3[] = [];
  for (let i = 0; i < n; i++) {
    const fields = (lines[i + 2] ?? '').trim().split(/\s+/);
    const [sym, ...xyz] = fields;
    const nums = xyz.slice(0, 3).map(Number);
    if (!sym && i > 0)
      throw new Error(`XYZ: line 1 declares ${n} atoms, but only ${i} follow (lines 3-${i + 2})`);
    if (!sym || atomicNumber(sym) === undefined || nums.length < 3 || !nums.every(Number.isFinite)) {
      throw new Error(`XYZ: cannot read atom ${i + 1} from line ${i + 3}: "${lines[i + 2]}"`);
    }
    symbols.push(normaliseSymbol(sym));
    coords.push(nums as Vec3);
  }
  // more atom lines than declared: the count is wrong, and reading the first n would drop atoms silently
  // (a next frame starts with its count line, and blank lines may follow)
  let listed = n;
  while (isAtomLine(lines[listed + 2])) listed++;
  if (listed > n)
    throw new Error(`XYZ: line 1 declares ${n} atoms, but lines 3-${listed + 2} list ${listed}`);
  const charge = state.charge ?? 0;
  return { symbols, coords, charge, multiplicity: state.multiplicity ?? lowestMultiplicity(symbols, charge) };
}

/** An element symbol and three numbers. */
function isAtomLine(line: string | undefined): boolean {
  const [sym, ...xyz] = (line ?? '').trim().split(/\s+/);
  return (
    !!sym &&
    atomicNumber(sym) !== undefined &&
    xyz.length >= 3 &&
    xyz.slice(0, 3).every((v) => Number.isFinite(Number(v)))
  );
}

/** XYZ text with 10 decimals (so values with up to 10 decimals round-trip exactly); the comment is kept to one line. */
export function toXyz(geom: Geometry, comment = ''): string {
  const rows = geom.symbols.map((s, i) => {
    const c = geom.coords[i] ?? [Number.NaN, Number.NaN, Number.NaN];
    return `${s.padEnd(2)} ${c.map((v) => (v === 0 ? 0 : v).toFixed(10).padStart(18)).join(' ')}`;
  });
  return `${geom.symbols.length}\n${comment.replace(/[\r\n]+/g, ' ')}\n${rows.join('\n')}\n`;
}

const CANONICAL_DECIMALS = 5;

/**
 * Canonical text and sha256 for cache keys. Coordinates are rounded to 1e-5 angstrom (as integers, so
 * -0 and 0 coincide) and atoms are sorted by element, then x, y, z: the same atoms at the same positions
 * hash equal whatever their order in the input. Charge and multiplicity are part of the key. Orientation
 * is not normalised: a rotated molecule is a different input.
 */
export function canonicalGeometry(geom: Geometry): { text: string; hash: string } {
  const atoms = geom.symbols.map((s, i) => {
    const c = geom.coords[i];
    if (!c)
      throw new Error(`geometry has ${geom.symbols.length} symbols but ${geom.coords.length} coordinates`);
    return { sym: normaliseSymbol(s), q: c.map((v) => quantise(v, CANONICAL_DECIMALS)) };
  });
  atoms.sort(compareAtoms);
  const lines = atoms.map((a) => `${a.sym} ${a.q.map((n) => decimal(n, CANONICAL_DECIMALS)).join(' ')}`);
  return withHash(`charge ${geom.charge} multiplicity ${geom.multiplicity}\n${lines.join('\n')}\n`);
}
