/**
 * Crystal structures: reading them from files (`cascade qm run --structure FILE`), a canonical form for cache
 * keys, and a few prototype cells for generating data sets.
 *
 * Two file formats are read:
 * - JSON: `{"lattice": [[..],[..],[..]], "units": "bohr"|"angstrom", "species": ["Mg", "O"],
 *   "fractional": [[0,0,0],[0.5,0.5,0.5]]}`, or `"cartesian"` positions instead of `"fractional"` (in the
 *   same units as the lattice). Lattice rows are the vectors a1, a2, a3. `units` is required: a bare
 *   number that may be bohr or angstrom is the classic way to compute the wrong crystal.
 * - Extended XYZ (the ASE/QUIP convention): atom count, then a comment line with `Lattice="ax ay az bx by bz
 *   cx cy cz"` in angstrom and optionally `Properties=species:S:1:pos:R:3[:...]` and `pbc="T T T"`, then one
 *   line per atom. Only the first frame is read.
 *
 * Everything comes out as a `Crystal`: lattice in bohr, positions fractional.
 */
import { cross, dot, type Lattice, toCartesian, toFractional } from '../lib/chem/lattice.js';
import { ANGSTROM_PER_BOHR } from '../lib/domain/units.js';
import { compareAtoms, decimal, quantise, withHash } from './canonical.js';
import { elementSymbol } from './elements.js';
import type { Crystal, Vec3 } from './template.js';

/** Atoms closer than this (bohr, periodic images included) make a structure unreadable: a duplicated site. */
export const MIN_ATOM_DISTANCE_BOHR = 0.5;
/** Cells smaller than this (bohr^3) are degenerate. */
const MIN_VOLUME_BOHR3 = 1e-3;

/** Canonical rounding: lattice to 1e-5 bohr, fractional coordinates to 1e-6. */
const LATTICE_DECIMALS = 5;
const FRACTIONAL_DECIMALS = 6;

export class StructureError extends Error {
  override name = 'StructureError';
}

export { elementSymbol } from './elements.js';

// ---------------------------------------------------------------------------------------------------
// Linear algebra on 3x3 row matrices: lib/chem/lattice.ts, under the names this module has always exported

/** The determinant of three row vectors: the signed volume they span. */
export function determinant(m: readonly Vec3[]): number {
  const [a, b, c] = m as [Vec3, Vec3, Vec3];
  return dot(a, cross(b, c));
}

/** Signed cell volume (bohr^3 for a Crystal's lattice): positive for a right-handed a1, a2, a3. */
export function cellVolume(c: Pick<Crystal, 'lattice'>): number {
  return determinant(c.lattice);
}

/** Cartesian position r = f1 a1 + f2 a2 + f3 a3 (same units as the lattice). */
export function fractionalToCartesian(lattice: readonly Vec3[], f: Vec3): Vec3 {
  return toCartesian(lattice as Lattice, f);
}

/** Fractional coordinates of a Cartesian position (same units as the lattice). */
export function cartesianToFractional(lattice: readonly Vec3[], r: Vec3): Vec3 {
  return toFractional(lattice as Lattice, r);
}

// ---------------------------------------------------------------------------------------------------
// Validation

/**
 * Checks a crystal and returns it with element symbols normalised; throws StructureError naming `source`.
 * Checks: at least one atom, one position per symbol, known elements, finite numbers, a non-degenerate
 * lattice, and no two atoms closer than MIN_ATOM_DISTANCE_BOHR (which catches a site listed twice, e.g. at
 * 0 and at 1).
 */
export function checkCrystal(c: Crystal, source = 'crystal'): Crystal {
  const bad = (what: string) => new StructureError(`${source}: ${what}`);
  if (!Array.isArray(c.lattice) || c.lattice.length !== 3 || !c.lattice.every(isVec3)) {
    throw bad('lattice must be three vectors of three finite numbers');
  }
  if (c.symbols.length === 0) throw bad('no atoms');
  if (c.fractional.length !== c.symbols.length) {
    throw bad(`${c.symbols.length} species but ${c.fractional.length} positions`);
  }
  const symbols = c.symbols.map((s, i) => {
    const sym = typeof s === 'string' ? elementSymbol(s.trim()) : undefined;
    if (!sym) throw bad(`atom ${i + 1}: unknown element "${String(s)}"`);
    return sym;
  });
  c.fractional.forEach((f, i) => {
    if (!isVec3(f)) throw bad(`atom ${i + 1} (${symbols[i]}): position must be three finite numbers`);
  });
  const volume = Math.abs(determinant(c.lattice));
  if (!(volume > MIN_VOLUME_BOHR3)) {
    throw bad(
      `lattice vectors are (nearly) linearly dependent: cell volume ${volume.toExponential(3)} bohr^3`,
    );
  }
  const close = closestPair(c.lattice, c.fractional);
  if (close && close.distance < MIN_ATOM_DISTANCE_BOHR) {
    const [i, j] = close.atoms;
    const which =
      i === j
        ? `atom ${i + 1} (${symbols[i]}) is ${close.distance.toFixed(3)} bohr from its own periodic image`
        : `atoms ${i + 1} (${symbols[i]}) and ${j + 1} (${symbols[j]}) are ${close.distance.toFixed(3)} bohr apart`;
    throw bad(`${which} (minimum ${MIN_ATOM_DISTANCE_BOHR} bohr); is a site listed twice?`);
  }
  return { kind: 'crystal', lattice: c.lattice, symbols, fractional: c.fractional };
}

function isVec3(v: unknown): v is Vec3 {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/**
 * The closest pair of atoms (or an atom and its own image) over the 27 nearest cells. Exact for cells that
 * are not too skewed; enough to catch duplicated sites in any cell.
 */
function closestPair(
  lattice: readonly Vec3[],
  fractional: readonly Vec3[],
): { atoms: [number, number]; distance: number } | undefined {
  let best: { atoms: [number, number]; distance: number } | undefined;
  const wrapped = fractional.map((f) => f.map((x) => x - Math.floor(x)) as Vec3);
  for (let i = 0; i < wrapped.length; i++) {
    for (let j = i; j < wrapped.length; j++) {
      const fi = wrapped[i] as Vec3;
      const fj = wrapped[j] as Vec3;
      for (let n1 = -1; n1 <= 1; n1++)
        for (let n2 = -1; n2 <= 1; n2++)
          for (let n3 = -1; n3 <= 1; n3++) {
            if (i === j && n1 === 0 && n2 === 0 && n3 === 0) continue;
            const d = fractionalToCartesian(lattice, [
              fj[0] - fi[0] + n1,
              fj[1] - fi[1] + n2,
              fj[2] - fi[2] + n3,
            ]);
            const distance = Math.hypot(...d);
            if (!best || distance < best.distance) best = { atoms: [i, j], distance };
          }
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// Reading

/**
 * Reads a crystal from the text of a JSON or extended-XYZ file (told apart by a leading '{' or '['). `source` (the
 * file name) prefixes every error message. Throws StructureError.
 */
export function readCrystal(text: string, source = 'structure'): Crystal {
  return /^\s*[[{]/.test(text) ? readCrystalJson(text, source) : readExtendedXyz(text, source);
}

const JSON_KEYS = ['lattice', 'units', 'species', 'fractional', 'cartesian'];

export function readCrystalJson(text: string, source = 'structure'): Crystal {
  const bad = (what: string) => new StructureError(`${source}: ${what}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('expected a JSON object');
  const o = doc as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !JSON_KEYS.includes(k));
  if (unknown.length > 0)
    throw bad(`unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${JSON_KEYS.join(', ')})`);
  if (o.units !== 'bohr' && o.units !== 'angstrom') {
    throw bad(
      `"units" must be "bohr" or "angstrom"${o.units === undefined ? ' (it is missing)' : `, got ${JSON.stringify(o.units)}`}`,
    );
  }
  const toBohr = o.units === 'angstrom' ? 1 / ANGSTROM_PER_BOHR : 1;
  if (!Array.isArray(o.lattice) || o.lattice.length !== 3 || !o.lattice.every(isVec3)) {
    throw bad('"lattice" must be three rows of three numbers (the lattice vectors a1, a2, a3)');
  }
  const lattice = o.lattice.map((v: Vec3) => v.map((x) => x * toBohr)) as [Vec3, Vec3, Vec3];
  if (!Array.isArray(o.species) || !o.species.every((s) => typeof s === 'string')) {
    throw bad('"species" must be an array of element symbols');
  }
  const hasFrac = o.fractional !== undefined;
  const hasCart = o.cartesian !== undefined;
  if (hasFrac === hasCart) throw bad('give exactly one of "fractional" and "cartesian" positions');
  const key = hasFrac ? 'fractional' : 'cartesian';
  const positions = o[key];
  if (!Array.isArray(positions)) throw bad(`"${key}" must be an array of [x, y, z] positions`);
  positions.forEach((p, i) => {
    if (!isVec3(p)) throw bad(`"${key}"[${i}] must be three finite numbers, got ${JSON.stringify(p)}`);
  });
  if (positions.length !== o.species.length) {
    throw bad(`${o.species.length} species but ${positions.length} ${key} positions`);
  }
  const volume = Math.abs(determinant(lattice));
  if (!(volume > MIN_VOLUME_BOHR3)) throw bad('lattice vectors are (nearly) linearly dependent');
  const fractional = (positions as Vec3[]).map((p) =>
    hasFrac ? ([...p] as Vec3) : cartesianToFractional(lattice, p.map((x) => x * toBohr) as Vec3),
  );
  return checkCrystal({ kind: 'crystal', lattice, symbols: o.species as string[], fractional }, source);
}

/** Key=value pairs of an extended-XYZ comment line; values may be double-quoted. Keys are lower-cased. */
function commentFields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/g)) {
    out.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

export function readExtendedXyz(text: string, source = 'structure'): Crystal {
  const bad = (what: string) => new StructureError(`${source}: ${what}`);
  const lines = text.split(/\r?\n/);
  const n = Number(lines[0]?.trim());
  if (!Number.isInteger(n) || n <= 0) {
    throw bad(
      `neither JSON (no leading "{") nor extended XYZ (first line must be the atom count, got "${lines[0] ?? ''}")`,
    );
  }
  const fields = commentFields(lines[1] ?? '');
  const latticeText = fields.get('lattice');
  if (latticeText === undefined) {
    throw bad('extended XYZ needs Lattice="ax ay az bx by bz cx cy cz" (angstrom) on the second line');
  }
  const l = latticeText.trim().split(/\s+/).map(Number);
  if (l.length !== 9 || !l.every(Number.isFinite))
    throw bad(`Lattice must hold 9 numbers, got "${latticeText}"`);
  const toBohr = 1 / ANGSTROM_PER_BOHR;
  const lattice = [0, 1, 2].map((r) => [0, 1, 2].map((k) => (l[3 * r + k] as number) * toBohr)) as [
    Vec3,
    Vec3,
    Vec3,
  ];
  const pbc = fields.get('pbc');
  if (
    pbc !== undefined &&
    !pbc
      .trim()
      .split(/\s+/)
      .every((x) => /^(t|true|1)$/i.test(x))
  ) {
    throw bad(`pbc="${pbc}": only fully periodic structures (pbc="T T T") are crystals`);
  }
  const { species, pos, width } = propertyColumns(fields.get('properties') ?? 'species:S:1:pos:R:3', bad);
  if (lines.length < n + 2) throw bad(`expected ${n} atom lines, found ${Math.max(0, lines.length - 2)}`);
  const volume = Math.abs(determinant(lattice));
  if (!(volume > MIN_VOLUME_BOHR3)) throw bad('lattice vectors are (nearly) linearly dependent');
  const symbols: string[] = [];
  const fractional: Vec3[] = [];
  for (let i = 0; i < n; i++) {
    const cols = (lines[i + 2] ?? '').trim().split(/\s+/);
    const xyz = cols.slice(pos, pos + 3).map(Number);
    if (cols.length < width || xyz.length !== 3 || !xyz.every(Number.isFinite)) {
      throw bad(`line ${i + 3}: cannot read atom ${i + 1} from "${lines[i + 2] ?? ''}"`);
    }
    symbols.push(cols[species] ?? '');
    fractional.push(cartesianToFractional(lattice, xyz.map((x) => x * toBohr) as Vec3));
  }
  return checkCrystal({ kind: 'crystal', lattice, symbols, fractional }, source);
}

/** Column indices of species and pos in a Properties=name:type:count:... specification. */
function propertyColumns(
  spec: string,
  bad: (what: string) => Error,
): { species: number; pos: number; width: number } {
  const parts = spec.split(':');
  if (parts.length % 3 !== 0) throw bad(`Properties="${spec}" is not a list of name:type:count triples`);
  let col = 0;
  let species: number | undefined;
  let pos: number | undefined;
  for (let i = 0; i < parts.length; i += 3) {
    const [name, type, countText] = [parts[i] ?? '', (parts[i + 1] ?? '').toUpperCase(), parts[i + 2] ?? ''];
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 1)
      throw bad(`Properties: bad column count "${countText}" for ${name}`);
    if (name.toLowerCase() === 'species') {
      if (type !== 'S' || count !== 1) throw bad('Properties: species must be species:S:1');
      species = col;
    }
    if (name.toLowerCase() === 'pos') {
      if (type !== 'R' || count !== 3) throw bad('Properties: pos must be pos:R:3');
      pos = col;
    }
    col += count;
  }
  if (species === undefined || pos === undefined)
    throw bad(`Properties="${spec}" lacks species:S:1 or pos:R:3`);
  return { species, pos, width: col };
}

// ---------------------------------------------------------------------------------------------------
// Canonical form

/**
 * Canonical text and sha256 of a crystal, for cache keys. Lattice vectors are rounded to 1e-5 bohr;
 * fractional coordinates are wrapped into [0, 1) and rounded to 1e-6 (a coordinate that rounds to 1 wraps
 * to 0); atoms are sorted by element, then coordinates. The same atoms on the same sites therefore hash
 * equal whatever their order and whichever periodic image is given. The lattice is not reduced or rotated:
 * another choice of cell (a supercell, a conventional cell, a rotated frame) is another input.
 */
export function canonicalCrystal(c: Crystal): { text: string; hash: string } {
  const frac = 10 ** FRACTIONAL_DECIMALS;
  const atoms = c.symbols.map((s, i) => {
    const f = c.fractional[i];
    if (!f)
      throw new StructureError(
        `crystal has ${c.symbols.length} symbols but ${c.fractional.length} positions`,
      );
    const q = f.map((x) => {
      const n = quantise(x, FRACTIONAL_DECIMALS) % frac;
      return n < 0 ? n + frac : n;
    });
    return { sym: elementSymbol(s) ?? s, q };
  });
  atoms.sort(compareAtoms);
  const lattice = c.lattice.map((v) =>
    v.map((x) => decimal(quantise(x, LATTICE_DECIMALS), LATTICE_DECIMALS)).join(' '),
  );
  const text =
    `lattice (bohr)\n${lattice.join('\n')}\natoms (fractional)\n` +
    `${atoms.map((a) => `${a.sym} ${a.q.map((n) => decimal(n, FRACTIONAL_DECIMALS)).join(' ')}`).join('\n')}\n`;
  return withHash(text);
}

/** The crystal as the JSON that readCrystalJson reads back (bohr, fractional). */
export function crystalToJson(c: Crystal): string {
  return `${JSON.stringify({ units: 'bohr', lattice: c.lattice, species: c.symbols, fractional: c.fractional })}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Prototype cells (primitive), for generating data sets

/** Primitive fcc lattice of cubic constant a: a/2 (0,1,1), a/2 (1,0,1), a/2 (1,1,0). */
export function fccLattice(a: number): [Vec3, Vec3, Vec3] {
  const h = a / 2;
  return [
    [0, h, h],
    [h, 0, h],
    [h, h, 0],
  ];
}

function prototype(
  name: string,
  a: string,
  b: string,
  aBohr: number,
  lattice: [Vec3, Vec3, Vec3],
  second: Vec3,
): Crystal {
  if (!(Number.isFinite(aBohr) && aBohr > 0))
    throw new StructureError(`${name}: lattice constant must be positive, got ${aBohr}`);
  return checkCrystal(
    {
      kind: 'crystal',
      lattice,
      symbols: [a, b],
      fractional: [[0, 0, 0], second],
    },
    name,
  );
}

/** Rock salt (B1, e.g. MgO, NaCl): fcc primitive cell, `a` at 0 and `b` at (1/2, 1/2, 1/2); cubic constant in bohr. */
export function rockSalt(a: string, b: string, aBohr: number): Crystal {
  return prototype('rock salt', a, b, aBohr, fccLattice(aBohr), [0.5, 0.5, 0.5]);
}

/** Zinc blende (B3, e.g. GaAs; diamond when a = b): fcc primitive cell, `a` at 0, `b` at (1/4, 1/4, 1/4). */
export function zincBlende(a: string, b: string, aBohr: number): Crystal {
  return prototype('zinc blende', a, b, aBohr, fccLattice(aBohr), [0.25, 0.25, 0.25]);
}

/** Caesium chloride (B2, e.g. CsCl, NiAl): simple cubic, `a` at 0, `b` at the body centre. */
export function cesiumChloride(a: string, b: string, aBohr: number): Crystal {
  return prototype(
    'caesium chloride',
    a,
    b,
    aBohr,
    [
      [aBohr, 0, 0],
      [0, aBohr, 0],
      [0, 0, aBohr],
    ],
    [0.5, 0.5, 0.5],
  );
}
