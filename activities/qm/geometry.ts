/**
 * Molecular geometries: XYZ text in and out, a canonical form for cache keys, and 3D embedding of
 * SMILES with Open Babel.
 */
import { execa } from 'execa';
import { compareAtoms, decimal, quantise, withHash } from './canonical.js';
import { elementNumber, normaliseSymbol } from './elements.js';
import { resolveBinary } from './profile.js';
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
    if (!sym || atomicNumber(sym) === undefined || nums.length < 3 || !nums.every(Number.isFinite)) {
      throw new Error(`XYZ: cannot read atom ${i + 1} from line ${i + 3}: "${lines[i + 2]}"`);
    }
    symbols.push(normaliseSymbol(sym));
    coords.push(nums as Vec3);
  }
  const charge = state.charge ?? 0;
  return { symbols, coords, charge, multiplicity: state.multiplicity ?? lowestMultiplicity(symbols, charge) };
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

/**
 * 3D coordinates (with hydrogens) from SMILES via `obabel -:SMILES -h --gen3d -oxyz`. Open Babel's
 * gen3d is stochastic: the same SMILES gives different (equally valid) conformers run to run, so
 * callers that need reproducibility must store the geometry, not the SMILES. The formal charge is
 * read from the formula Open Babel appends to the title (e.g. "C2H3O2-", "Fe+++"); the multiplicity
 * is the lowest one the electron count allows (so triplet O2 or carbenes come out as singlets).
 */
export async function smilesTo3D(smiles: string, opts: { timeoutMs?: number } = {}): Promise<Geometry> {
  // Whitespace would start Open Babel's title field; an empty string converts nothing. A leading '-' is
  // harmless: the SMILES travels inside the single argument "-:<smiles>", never as an option of its own.
  if (!smiles || /[\s\0]/.test(smiles))
    throw new Error(`invalid SMILES ${JSON.stringify(smiles)}: empty or contains whitespace`);
  const binary = await resolveBinary(process.env.CASCADE_OBABEL || 'obabel');
  const result = await execa(binary, [`-:${smiles}`, '-h', '--gen3d', '-oxyz', '--append', 'formula'], {
    reject: false,
    stdin: 'ignore',
    // Debian's Open Babel is built with OpenMP: two concurrent gen3d runs with default threads spin against
    // each other on 2 cores (measured: ethanol 0.06 s alone, 6-15 s beside another obabel). One thread each.
    env: { OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
    timeout: opts.timeoutMs ?? 60_000,
    forceKillAfterDelay: 2_000,
  });
  const fail = (why: string) =>
    new Error(`Open Babel could not embed SMILES ${JSON.stringify(smiles)}: ${why}`);
  if (result.timedOut) throw fail(`timed out after ${opts.timeoutMs ?? 60_000} ms`);
  // obabel exits 0 even when it converts nothing; the stdout and the "N molecules converted" line tell.
  const errors = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^=+$/.test(l) && !/molecules? converted$/.test(l));
  if (result.exitCode !== 0 || !result.stdout.trim())
    throw fail(errors.join(' ') || `exit code ${result.exitCode}`);
  const title = result.stdout.split('\n')[1]?.trim() ?? '';
  const tail = /([+-]+)$/.exec(title)?.[1] ?? '';
  const charge = tail === '' ? 0 : tail.startsWith('+') ? tail.length : -tail.length;
  let geom: Geometry;
  try {
    geom = parseXyz(result.stdout, { charge });
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (geom.symbols.length > 1 && geom.coords.every((c) => c.every((v) => v === 0)))
    throw fail('no 3D coordinates');
  return geom;
}
