/**
 * Crystals from VASP POSCAR/CONTCAR files (VASP 5 and later: the element symbols on their own line above the
 * counts). Layout: a comment line; the scale (one number, negative for the cell volume in angstrom^3, or three
 * per-axis factors); three lattice vectors (angstrom, times the scale); the species line; the counts line; an
 * optional "Selective dynamics" line; "Direct" or "Cartesian"; then one line per atom, in species order. A
 * CONTCAR's velocities and predictor block after the positions are ignored.
 *
 * VASP 4 files (no species line: the elements lived in the POTCAR) are refused: guessing elements is how one
 * computes the wrong crystal.
 */
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { cartesianToFractional, checkCrystal, determinant, StructureError } from '../structure.js';
import type { Crystal, Vec3 } from '../template.js';

export function readPoscar(text: string, source = 'POSCAR'): Crystal {
  const bad = (line: number, what: string) => new StructureError(`${source}:${line}: ${what}`);
  const lines = text.split(/\r?\n/);
  const fields = (i: number) => (lines[i] ?? '').trim().split(/\s+/).filter(Boolean);
  const numbers = (i: number, n: number, what: string): number[] => {
    const xs = fields(i).slice(0, n).map(Number);
    if (xs.length !== n || !xs.every(Number.isFinite)) {
      throw bad(i + 1, `expected ${what}, got "${(lines[i] ?? '').trim()}"`);
    }
    return xs;
  };

  const scaleFields = fields(1).filter((f) => !f.startsWith('#') && !f.startsWith('!'));
  const scaleCount =
    scaleFields.length >= 3 && scaleFields.slice(0, 3).every((f) => Number.isFinite(Number(f))) ? 3 : 1;
  const scale = numbers(1, scaleCount, scaleCount === 3 ? 'three scale factors' : 'the scale factor');
  const raw = [2, 3, 4].map((i) => numbers(i, 3, 'a lattice vector (three numbers)')) as [Vec3, Vec3, Vec3];

  let factors: Vec3;
  if (scale.length === 3) {
    if (!scale.every((s) => s > 0)) throw bad(2, 'per-axis scale factors must be positive');
    factors = scale as Vec3;
  } else {
    const s = scale[0] as number;
    if (s === 0) throw bad(2, 'scale factor 0');
    // a negative scale is the wanted cell volume (angstrom^3)
    const k = s > 0 ? s : Math.cbrt(-s / Math.abs(determinant(raw)));
    factors = [k, k, k];
  }
  // per-axis factors scale the Cartesian x, y, z components (VASP's convention), a single one everything
  const latticeA = raw.map((v) => v.map((x, k) => x * (factors[k] as number))) as [Vec3, Vec3, Vec3];

  const speciesLine = fields(5);
  if (speciesLine.length > 0 && speciesLine.every((f) => /^\d+$/.test(f))) {
    throw bad(
      6,
      'this is a VASP 4 POSCAR (atom counts with no element symbols): add a line with the element symbols ' +
        `(e.g. "Mg O") above the counts line "${(lines[5] ?? '').trim()}"`,
    );
  }
  // VASP 5.4 may write "Mg_pv/3a2b..." (POTCAR name and hash): the element is what comes before '_' or '/'
  const species = speciesLine.map((s) => s.split(/[_/]/)[0] as string);
  const counts = fields(6).map(Number);
  if (counts.length !== species.length || !counts.every((n) => Number.isInteger(n) && n >= 0)) {
    throw bad(
      7,
      `expected ${species.length} atom counts (one per element of line 6), got "${(lines[6] ?? '').trim()}"`,
    );
  }

  let i = 7;
  if (/^s/i.test((lines[i] ?? '').trim())) i++; // Selective dynamics: the T/F flags after each position are ignored
  const mode = (lines[i] ?? '').trim();
  if (mode === '') throw bad(i + 1, 'expected "Direct" or "Cartesian"');
  // VASP reads only the first letter: C or K is Cartesian, anything else direct (fractional)
  const cartesian = /^[ck]/i.test(mode);
  i++;

  const toBohr = 1 / ANGSTROM_PER_BOHR;
  const lattice = latticeA.map((v) => v.map((x) => x * toBohr)) as [Vec3, Vec3, Vec3];
  const symbols: string[] = [];
  const fractional: Vec3[] = [];
  species.forEach((s, k) => {
    for (let n = 0; n < (counts[k] as number); n++) {
      const p = numbers(i, 3, `the position of atom ${symbols.length + 1} (${s})`) as Vec3;
      const f = cartesian
        ? cartesianToFractional(lattice, p.map((x, c) => x * (factors[c] as number) * toBohr) as Vec3)
        : p;
      symbols.push(s);
      fractional.push(f);
      i++;
    }
  });
  return checkCrystal({ kind: 'crystal', lattice, symbols, fractional }, source);
}
