/** RDKit (MinimalLib, WebAssembly): one lazily loaded module per thread, and molecule basics. */
import { createRequire } from 'node:module';
import type { Log, MainModule, Mol } from '@rdkit/rdkit';

export type RDKit = MainModule;

export interface MoleculeInfo {
  /** RDKit canonical SMILES. */
  canonical: string;
  /** Atoms other than hydrogen. */
  heavyAtoms: number;
  /** Sum of the atoms' formal charges. */
  formalCharge: number;
  /** Distinct element symbols of the heavy atoms, sorted. */
  elements: string[];
  /** Disconnected parts (2 for a salt such as "[Na+].[Cl-]"). */
  fragments: number;
}

/**
 * Past about 600 atoms RDKit's canonicaliser and descriptors recurse deeper than the WebAssembly stack: a
 * 600-700 carbon chain loops forever in get_smiles, an 800-carbon one throws "memory access out of bounds" and
 * leaves the module unusable (measured with @rdkit/rdkit 2026.09.1; 500 atoms of any shape tried pass). Molecules
 * above this limit are rejected before RDKit sees them: half the smallest size seen to fail.
 */
export const MAX_ATOMS = 300;
/** A SMILES longer than this is refused as text, whatever it holds (300 bracket atoms with bonds and rings fit). */
export const MAX_SMILES_LENGTH = 4000;

/** What RDKit made of one molecule: its facts, or why it was rejected (`reason` is the class, `detail` says more). */
export type MoleculeVerdict =
  | { ok: true; molecule: MoleculeInfo }
  | { ok: false; reason: RejectionReason; detail: string };

export type RejectionReason = 'empty' | 'too large' | 'unparseable' | 'rdkit crashed';

/** Thrown by withMol when the module aborted: it is unusable, and the next loadRDKit() creates a new one. */
export class RDKitAborted extends Error {
  override name = 'RDKitAborted';
}

interface Loaded {
  rdkit: RDKit;
  /** RDKit's error log, captured so a rejection can say why (RDKit otherwise prints it to stderr). */
  log: Log | null;
}

let loading: Promise<Loaded> | undefined;
/** The module `loading` resolved to, once it has. */
let current: Loaded | undefined;
let restarts = 0;

function load(): Promise<Loaded> {
  if (!loading) {
    // the package is CommonJS (module.exports = factory); require() gives the factory on every loader
    const init = createRequire(import.meta.url)('@rdkit/rdkit') as (opts?: unknown) => Promise<RDKit>;
    loading = init().then(
      (rdkit) => {
        current = { rdkit, log: rdkit.set_log_capture('rdApp.error') };
        return current;
      },
      (err: unknown) => {
        loading = undefined; // let a later call try again
        throw err;
      },
    );
  }
  return loading;
}

/** The RDKit module, loaded on first use (and created afresh after one aborted). */
export async function loadRDKit(): Promise<RDKit> {
  return (await load()).rdkit;
}

/** How many times this thread's module aborted and was created afresh. */
export function rdkitRestarts(): number {
  return restarts;
}

/**
 * A WebAssembly trap (out-of-bounds access, unreachable, stack overflow) aborts the module mid-call: its memory
 * is in an unknown state and every later call may fail. A C++ exception (WebAssembly.Exception) does not.
 */
function isAbort(e: unknown): boolean {
  // WebAssembly.RuntimeError (its name is 'RuntimeError'); a stack overflow is a RangeError
  return e instanceof RangeError || (e instanceof Error && e.name === 'RuntimeError');
}

/**
 * Parses `smiles` (or an MDL molblock) and runs `fn` on the molecule, always freeing the WebAssembly memory afterwards.
 * Returns null when RDKit cannot parse the SMILES (or the string is empty, or RDKit throws on this molecule).
 * Throws RDKitAborted when the module aborted: the next loadRDKit() gives a new one.
 */
export function withMol<T>(rdkit: RDKit, smiles: string, fn: (mol: Mol) => T): T | null {
  // a molblock's first line (its title) may be empty and is significant: trim SMILES only
  const text = smiles.includes('\n') ? smiles : smiles.trim();
  if (!text.trim() || sizeProblem(text)) return null;
  let mol: Mol | null = null;
  try {
    mol = rdkit.get_mol(text);
    if (!mol?.is_valid()) return null;
    return fn(mol);
  } catch (e) {
    if (isAbort(e)) {
      mol = null; // its memory went with the module
      discardModule(rdkit);
      throw new RDKitAborted(`RDKit aborted (${errorText(e)}); it is created afresh for the next call`);
    }
    return null; // a C++ exception for this molecule: the module is fine
  } finally {
    mol?.delete();
  }
}

/**
 * Canonical SMILES and the facts the candidate filters need, or the reason RDKit cannot give them. Never throws
 * for a molecule: one that aborts the module is rejected as "rdkit crashed", and the next one gets a new module.
 * `maxAtoms` (default MAX_ATOMS) is the size guard; only tests lift it, to crash a real module on purpose.
 */
export async function inspectMolecule(
  text: string,
  opts: { maxAtoms?: number } = {},
): Promise<MoleculeVerdict> {
  const input = text.includes('\n') ? text : text.trim();
  if (!input.trim()) return { ok: false, reason: 'empty', detail: 'no SMILES' };
  const size = sizeProblem(input, opts.maxAtoms);
  if (size) return { ok: false, reason: 'too large', detail: size };
  const { rdkit, log } = await load();
  log?.clear_buffer();
  let mol: Mol | null = null;
  try {
    mol = rdkit.get_mol(input);
    if (!mol?.is_valid()) {
      return { ok: false, reason: 'unparseable', detail: parseError(log?.get_buffer() ?? '') };
    }
    return { ok: true, molecule: facts(mol) };
  } catch (e) {
    if (isAbort(e)) {
      mol = null;
      discardModule(rdkit);
      return { ok: false, reason: 'rdkit crashed', detail: `${errorText(e)}; RDKit restarted` };
    }
    return { ok: false, reason: 'unparseable', detail: `RDKit failed: ${errorText(e)}` };
  } finally {
    mol?.delete();
  }
}

/** Canonical SMILES and the facts the candidate filters need; null when the SMILES does not parse. */
export async function describeMolecule(smiles: string): Promise<MoleculeInfo | null> {
  const v = await inspectMolecule(smiles);
  return v.ok ? v.molecule : null;
}

/** Forgets an aborted module; the next call creates a new one (~0.1 s; the old one's memory is garbage collected). */
function discardModule(rdkit: RDKit): void {
  if (current?.rdkit !== rdkit) return; // already replaced
  current = undefined;
  loading = undefined;
  restarts++;
}

function facts(mol: Mol): MoleculeInfo {
  const json = JSON.parse(mol.get_json()) as RDKitJson;
  const defaults = json.defaults?.atom ?? {};
  const atoms = json.molecules?.[0]?.atoms ?? [];
  const bonds = json.molecules?.[0]?.bonds ?? [];
  let heavyAtoms = 0;
  let formalCharge = 0;
  const elements = new Set<string>();
  for (const atom of atoms) {
    const z = atom.z ?? defaults.z ?? 6;
    formalCharge += atom.chg ?? defaults.chg ?? 0;
    if (z > 1) {
      heavyAtoms++;
      elements.add(ELEMENTS[z - 1] ?? `Z${z}`);
    }
  }
  return {
    canonical: mol.get_smiles(),
    heavyAtoms,
    formalCharge,
    elements: [...elements].sort(),
    fragments: countFragments(atoms.length, bonds),
  };
}

/** Atoms written in a SMILES: bracket atoms and the organic subset (aromatic included), before any parsing. */
const SMILES_ATOM = /\[[^\]]*\]|Br|Cl|[BCNOPSFI]|[bcnops]|\*/g;

/** Why `text` is too large for RDKit ("800 atoms (limit 300)"), or undefined when it is not. Pure, fast on any input. */
export function sizeProblem(text: string, maxAtoms = MAX_ATOMS): string | undefined {
  const atoms = text.includes('\n') ? molblockAtoms(text) : undefined;
  if (atoms === undefined && text.length > MAX_SMILES_LENGTH)
    return `${text.length} characters of SMILES (limit ${MAX_SMILES_LENGTH})`;
  const n = atoms ?? smilesAtoms(text);
  return n > maxAtoms ? `${n} atoms (limit ${maxAtoms})` : undefined;
}

/** The atoms a SMILES writes (hydrogens only where written as atoms, e.g. "[H]"), counted on the text. */
export function smilesAtoms(smiles: string): number {
  return smiles.match(SMILES_ATOM)?.length ?? 0;
}

/** The atom count a molblock declares (V2000 counts line, or V3000 COUNTS). */
function molblockAtoms(text: string): number {
  const v3000 = /^M {2}V30 COUNTS (\d+)/m.exec(text);
  if (v3000) return Number(v3000[1]);
  const counts = text.split(/\r?\n/)[3] ?? '';
  const n = Number.parseInt(counts.slice(0, 3), 10);
  return Number.isFinite(n) ? n : 0;
}

/** RDKit's first error line, without its timestamps and the echoed input: "unclosed ring", "Explicit valence...". */
function parseError(buffer: string): string {
  const lines = buffer
    .split('\n')
    .map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
    .filter(Boolean);
  const first = lines[0];
  if (!first) return 'RDKit could not parse it';
  const short = first
    .replace(/^SMILES Parse Error:\s*/, '')
    .replace(/ (for input|while parsing):.*$/, '')
    .replace(/\s+/g, ' ');
  return short.length > 120 ? `${short.slice(0, 117)}...` : short;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

interface RDKitJsonAtom {
  z?: number;
  chg?: number;
}

interface RDKitJson {
  defaults?: { atom?: RDKitJsonAtom };
  molecules?: { atoms?: RDKitJsonAtom[]; bonds?: { atoms: [number, number] }[] }[];
}

/** Connected components of the bond graph (union-find). */
function countFragments(nAtoms: number, bonds: { atoms: [number, number] }[]): number {
  const parent = Array.from({ length: nAtoms }, (_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    return r;
  };
  let components = nAtoms;
  for (const { atoms } of bonds) {
    const a = root(atoms[0]);
    const b = root(atoms[1]);
    if (a !== b) {
      parent[a] = b;
      components--;
    }
  }
  return components;
}

// biome-ignore format: one period per line
const ELEMENTS = [
  'H', 'He',
  'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne',
  'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
  'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
  'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn',
  'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm', 'Md', 'No', 'Lr',
  'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
];
