/**
 * RDKit's unfolded Morgan ids (32-bit, with counts) for molecules parsed by RDKit's WebAssembly build.
 *
 * Route: RDKit-JS (MinimalLib) only returns Morgan fingerprints folded into a bit vector (get_morgan_fp and
 * get_morgan_fp_as_uint8array: no counts, no ids, no bit info; a 2^32-bit vector cannot be allocated), so the ids
 * are computed here: RDKit parses and sanitizes the molecule (aromaticity, hydrogens, rings), get_json() hands
 * over its graph, and lib/chem/morgan.ts hashes it the way RDKit does. The ids and counts agree with RDKit's
 * Python GetMorganFingerprint(mol, 2) on every molecule of NCI first_5K (bench:sa checks them all) and of 47k more
 * (ChEMBL, PubChem, ZINC samples, isotopes, charges, dummy atoms, dative bonds, arynes), and folded they give
 * RDKit-JS's own get_morgan_fp bits (test/unit/sa-score.test.ts).
 */
import type { Mol } from '@rdkit/rdkit';
import { BondType, type GraphAtom, type GraphBond, type MolGraph } from '../../lib/chem/mol-graph.js';
import { type MorganCounts, morganCounts } from '../../lib/chem/morgan.js';
import { loadRDKit, type RDKit, withMol } from './rdkit.js';

/** The unfolded Morgan ids of `smiles` up to `radius`, or null when RDKit cannot parse it. */
export async function morganIds(smiles: string, radius = 2): Promise<MorganCounts | null> {
  const rdkit = await loadRDKit();
  return withMol(rdkit, smiles, (mol) => morganCounts(molGraph(rdkit, readMolJson(mol)), radius));
}

/** RDKit's JSON for a molecule (get_json): its graph as RDKit perceived it, and RDKit's own extension. */
export function readMolJson(mol: Mol): RDKitJson {
  return JSON.parse(mol.get_json()) as RDKitJson;
}

/** RDKit's own extension of its JSON: aromaticity, rings and the CIP codes the molecule carries. */
export function rdkitExtension(json: RDKitJson): RDKitExtension {
  return json.molecules?.[0]?.extensions?.find((e) => e.name === 'rdkitRepresentation') ?? {};
}

/** The graph of an RDKit molecule from its JSON (aromatic bonds, hydrogen counts, ring list). */
export function molGraph(rdkit: RDKit, json: RDKitJson): MolGraph {
  const atomDefaults = json.defaults?.atom ?? {};
  const bondDefaults = json.defaults?.bond ?? {};
  const molecule = json.molecules?.[0] ?? {};
  const extension = rdkitExtension(json);
  const aromatic = new Set(extension.aromaticBonds ?? []);

  const atoms: GraphAtom[] = (molecule.atoms ?? []).map((a) => {
    const z = a.z ?? atomDefaults.z ?? 6;
    const isotope = a.isotope ?? atomDefaults.isotope ?? 0;
    return {
      z,
      hydrogens: a.impHs ?? atomDefaults.impHs ?? 0, // RDKit writes getTotalNumHs() here
      formalCharge: a.chg ?? atomDefaults.chg ?? 0,
      deltaMass: isotope ? isotopeDeltaMass(rdkit, z, isotope) : 0,
    };
  });
  const bonds: GraphBond[] = (molecule.bonds ?? []).map((b, i) => {
    const order = b.bo ?? bondDefaults.bo ?? 1;
    // The JSON is written kekulized (AROMATIC bonds become 1 or 2), the aromatic bonds listed apart. A triple bond
    // in an aromatic ring (an aryne, "c#c") is flagged aromatic too, but its type stays TRIPLE.
    const type = aromatic.has(i) && (order === 1 || order === 2) ? BondType.AROMATIC : bondType(order);
    return { begin: b.atoms[0], end: b.atoms[1], type };
  });
  return { atoms, bonds, rings: extension.atomRings ?? [] };
}

/**
 * RDKit's bond type for a JSON bond order. The JSON writes 0-4 and 17 (dative); any other type (ionic, hydrogen,
 * other) is also written as 0, and is taken here as a zero-order bond, the only one of them a SMILES can't
 * write either.
 */
function bondType(order: number): number {
  switch (order) {
    case 0:
      return BondType.ZERO;
    case 1:
      return BondType.SINGLE;
    case 2:
      return BondType.DOUBLE;
    case 3:
      return BondType.TRIPLE;
    case 4:
      return BondType.QUADRUPLE;
    case 17:
      return BondType.DATIVE;
    default:
      throw new Error(`bond order ${order} in RDKit's JSON is not known`);
  }
}

/** (atomic number, isotope) -> delta mass; the same for every RDKit module, so one cache per process. */
const deltaMasses = new Map<string, number>();

/**
 * The isotope's mass minus the element's standard atomic weight, truncated toward zero (RDKit casts to int), from
 * RDKit's own periodic table: the average molecular weight of the lone atom with and without its isotope (a
 * bracket atom carries no implicit hydrogen). Isotopes are rare, so each pair is asked for once.
 */
function isotopeDeltaMass(rdkit: RDKit, z: number, isotope: number): number {
  const key = `${z}:${isotope}`;
  let delta = deltaMasses.get(key);
  if (delta === undefined) {
    delta = Math.trunc(atomWeight(rdkit, `[${isotope}#${z}]`) - atomWeight(rdkit, `[#${z}]`));
    deltaMasses.set(key, delta);
  }
  return delta;
}

function atomWeight(rdkit: RDKit, smiles: string): number {
  // removeHs off: a lone hydrogen atom would otherwise make RDKit print a warning
  const mol = rdkit.get_mol(smiles, JSON.stringify({ removeHs: false }));
  try {
    const amw = mol?.is_valid() ? (JSON.parse(mol.get_descriptors()) as { amw?: number }).amw : undefined;
    if (typeof amw !== 'number') throw new Error(`RDKit gave no weight for ${smiles}`);
    return amw;
  } finally {
    mol?.delete();
  }
}

/** The parts of RDKit's JSON (commonchem with RDKit's extension) read here. */
export interface RDKitJson {
  defaults?: {
    atom?: { z?: number; impHs?: number; chg?: number; isotope?: number };
    bond?: { bo?: number };
  };
  molecules?: {
    atoms?: { z?: number; impHs?: number; chg?: number; isotope?: number }[];
    bonds?: { bo?: number; atoms: [number, number] }[];
    extensions?: RDKitExtension[];
  }[];
}

export interface RDKitExtension {
  name?: string;
  aromaticBonds?: number[];
  atomRings?: number[][];
  /** [atom index, "R" or "S"]: the _CIPCode of each atom that has one. */
  cipCodes?: [number, string][];
}
