/** RDKit (MinimalLib, WebAssembly): one lazily loaded module per thread, and molecule basics. */
import { createRequire } from 'node:module';
import type { MainModule, Mol } from '@rdkit/rdkit';

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

let loading: Promise<RDKit> | undefined;

/** The RDKit module, loaded on first use. */
export function loadRDKit(): Promise<RDKit> {
  if (!loading) {
    // the package is CommonJS (module.exports = factory); require() gives the factory on every loader
    const init = createRequire(import.meta.url)('@rdkit/rdkit') as (opts?: unknown) => Promise<RDKit>;
    loading = init().catch((err: unknown) => {
      loading = undefined; // let a later call try again
      throw err;
    });
  }
  return loading;
}

/**
 * Parses `smiles` (or an MDL molblock) and runs `fn` on the molecule, always freeing the WebAssembly memory afterwards.
 * Returns null when RDKit cannot parse the SMILES (or the string is empty).
 */
export function withMol<T>(rdkit: RDKit, smiles: string, fn: (mol: Mol) => T): T | null {
  // a molblock's first line (its title) may be empty and is significant: trim SMILES only
  const text = smiles.includes('\n') ? smiles : smiles.trim();
  if (!text.trim()) return null;
  let mol: Mol | null = null;
  try {
    mol = rdkit.get_mol(text);
    if (!mol?.is_valid()) return null;
    return fn(mol);
  } catch {
    return null; // RDKit throws WebAssembly exceptions for some inputs
  } finally {
    mol?.delete();
  }
}

/** Canonical SMILES and the facts the candidate filters need; null when the SMILES does not parse. */
export async function describeMolecule(smiles: string): Promise<MoleculeInfo | null> {
  const rdkit = await loadRDKit();
  return withMol(rdkit, smiles, (mol) => {
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
  });
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
