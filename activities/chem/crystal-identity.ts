/**
 * A crystal's identity under symmetry: one key for one crystal, whichever cell, orientation, origin or atom order
 * it was written in. The symmetry comes from moyo (spglib's successor, its WebAssembly build
 * @spglib/moyo-wasm), loaded once per process on first use; the canonical description from
 * qm/crystal/canonical-cell.ts.
 *
 * The key is sha256 of "space group N" and the canonical text of the crystal's primitive cell:
 * 1. moyo finds the space group and its standardised primitive cell, with positions symmetrised;
 * 2. the lattice metric is averaged over the point group (moyo keeps the input's small distortions);
 * 3. canonicalCell fixes the remaining choices that moyo's standard cell leaves open (measured: a monoclinic
 *    crystal given in two bases came back with beta and 180° - beta; a rock-salt crystal with Mg or O at the
 *    origin; wurtzite with its origin anywhere along c): Niggli basis, orientation from the metric, then the
 *    smallest text over the lattice's proper automorphisms and the origins on atoms of the rarest species.
 * Mirror images of a chiral crystal get different keys; so do cells that differ by more than the rounding of the
 * canonical text (lattice 1e-5 bohr, fractions 1e-6).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import init, { analyze_cell, type MoyoCell, type MoyoDataset } from '@spglib/moyo-wasm';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { withHash } from '../../qm/canonical.js';
import { canonicalCell } from '../../qm/crystal/canonical-cell.js';
import { type Mat3, transpose } from '../../qm/crystal/matrix.js';
import { elementNumber } from '../../qm/elements.js';
import { checkCrystal, StructureError } from '../../qm/structure.js';
import type { Crystal, Vec3 } from '../../qm/template.js';

/** Default symmetry tolerance: 0.01 angstrom (in bohr), loose enough for CIF coordinates given to 4 digits. */
export const DEFAULT_SYMPREC_BOHR = 0.01 / ANGSTROM_PER_BOHR;

export interface CrystalIdentity {
  /** sha256 (hex) of `text`. */
  key: string;
  /** International Tables number, 1-230. */
  spaceGroup: number;
  /** Hall number of moyo's standard setting, 1-530. */
  hallNumber?: number;
  /** The canonical primitive cell the key describes (Niggli basis, lattice a along x, chosen origin). */
  primitive: Crystal;
  /** What the key hashes: "space group N" and the canonical text of `primitive`. */
  text: string;
}

let loading: Promise<void> | undefined;

/** moyo's WebAssembly module, instantiated once per process (per thread) on first use. */
function loadMoyo(): Promise<void> {
  if (!loading) {
    const wasm = createRequire(import.meta.url).resolve('@spglib/moyo-wasm/moyo_wasm_bg.wasm');
    // the package's default loader fetch()es a file: URL, which Node 20 cannot: hand it the bytes
    loading = readFile(wasm)
      .then((bytes) => init({ module_or_path: bytes }))
      .then(
        () => undefined,
        (e: unknown) => {
          loading = undefined; // let a later call try again
          throw e;
        },
      );
  }
  return loading;
}

/**
 * The identity of crystal `c`. `symprec` is moyo's distance tolerance in bohr (default 0.01 angstrom). Throws
 * StructureError for a crystal checkCrystal refuses or whose symmetry moyo cannot determine.
 */
export async function crystalIdentity(c: Crystal, symprec = DEFAULT_SYMPREC_BOHR): Promise<CrystalIdentity> {
  const crystal = checkCrystal(c, 'crystal identity');
  await loadMoyo();
  // moyo's species are integers; atomic numbers read well in its errors
  const symbolOf = new Map<number, string>();
  const numbers = crystal.symbols.map((s) => {
    const z = elementNumber(s) as number; // checkCrystal accepted only elements
    symbolOf.set(z, s);
    return z;
  });
  const data = analyse(
    {
      lattice: { basis: crystal.lattice.flat() as MoyoCell['lattice']['basis'] },
      positions: crystal.fractional,
      numbers,
    },
    symprec,
  );
  const prim = data.prim_std_cell;
  const primitive: Crystal = {
    kind: 'crystal',
    lattice: rows(prim.lattice.basis) as [Vec3, Vec3, Vec3],
    symbols: prim.numbers.map((z) => symbolOf.get(z) as string),
    fractional: prim.positions.map((p) => [...p] as Vec3),
  };
  // the point group in the primitive cell's own basis, for the ideal metric; moyo's 9 numbers are the matrix
  // column by column (nalgebra's order), so read as rows they are Wᵀ (canonicalCell checks that each W keeps
  // the metric, so a wrong reading fails loudly)
  const rotations = analyse(prim, symprec).operations.map((op) => transpose(rows(op.rotation)));
  const canonical = canonicalCell(primitive, rotations);
  const { text, hash } = withHash(`space group ${data.number}\n${canonical.text}`);
  return {
    key: hash,
    spaceGroup: data.number,
    hallNumber: data.hall_number,
    primitive: canonical.crystal,
    text,
  };
}

function analyse(cell: MoyoCell, symprec: number): MoyoDataset {
  try {
    return analyze_cell(JSON.stringify(cell), symprec, 'Standard');
  } catch (e) {
    // moyo throws its error as a string ("moyo error: PrimitiveSymmetrySearchError")
    throw new StructureError(
      `crystal identity: moyo could not determine the symmetry (${e instanceof Error ? e.message : String(e)}) ` +
        `at symprec ${symprec} bohr; a looser or tighter tolerance may help`,
    );
  }
}

/** A row-major 3x3 as rows. */
function rows(m: readonly number[]): Mat3 {
  return [m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)] as Mat3;
}
