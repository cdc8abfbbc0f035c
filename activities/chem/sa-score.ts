/**
 * Synthetic accessibility (Ertl & Schuffenhauer's SA score, 1 easy .. 10 hard) for SMILES, in-process, agreeing
 * with RDKit's Contrib/SA_Score/sascorer.py run by RDKit's Python package to ~1e-14 (floating-point order) on its
 * 100 reference molecules (whose printed 3-decimal scores it meets within 0.0005), on NCI first_5K (bench:sa
 * compares every molecule) and on 47k more (ChEMBL, PubChem, ZINC and WEHI sets from rdkit-data and RDKit's test
 * data, 4.5k of them with stereo, and hand-made isotope, charge, spiro, bridged and macrocycle cases).
 *
 *   saScore(smiles: string): Promise<number | null>
 *   saScores(smilesList: readonly string[]): Promise<(number | null)[]>
 *
 * null where RDKit cannot parse the SMILES, refuses it as too large (MAX_ATOMS in ./rdkit.ts) or crashes on it,
 * or the molecule has no atoms (where sascorer.py answers None).
 *
 * Where each feature comes from:
 * - fragment ids: RDKit's unfolded Morgan radius-2 ids with counts, computed from RDKit-JS's molecule graph by
 *   lib/chem/morgan.ts (RDKit-JS exposes only folded bits; see activities/chem/morgan-ids.ts);
 * - chiral centres: RDKit-JS's own stereo perception, the legacy one that Python RDKit uses by default, run as
 *   FindMolChiralCenters(includeUnassigned=True) runs it (see chiralCentres);
 * - spiro atoms, bridgehead atoms, rings of more than 8 atoms: computed (lib/chem/ring-features.ts) from RDKit's
 *   ring list with RDKit's definitions, since RDKit-JS has them only among all descriptors at once (~1 ms);
 * - fragment contributions: Debian rdkit-data's fpscores.pkl.gz, read directly (gunzip + lib/chem/fragment-scores.ts)
 *   once per process.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Mol } from '@rdkit/rdkit';
import { type FragmentContributions, readFragmentContributions } from '../../lib/chem/fragment-scores.js';
import { morganCounts } from '../../lib/chem/morgan.js';
import { ringFeatures } from '../../lib/chem/ring-features.js';
import { type SaFeatures, saScoreFromFeatures } from '../../lib/chem/sa-score.js';
import { molGraph, rdkitExtension, readMolJson } from './morgan-ids.js';
import { loadRDKit, type RDKit, RDKitAborted, withMol } from './rdkit.js';

/** Where Debian's rdkit-data (installed by `make setup`) puts the fragment contributions. */
export const FPSCORES_PATH = '/usr/share/RDKit/Contrib/SA_Score/fpscores.pkl.gz';

const tables = new Map<string, Promise<FragmentContributions>>();

/** The fragment contributions (705k Morgan ids), read and parsed once per process and file (0.5-1 s). */
export function loadFragmentContributions(path = FPSCORES_PATH): Promise<FragmentContributions> {
  let table = tables.get(path);
  if (!table) {
    table = readFile(path)
      .then((gz) => promisify(gunzip)(gz))
      .then((pickle) => readFragmentContributions(pickle));
    table.catch(() => tables.delete(path)); // a missing file may be installed later
    tables.set(path, table);
  }
  return table;
}

/** The SA score of one SMILES; null when RDKit cannot parse it (or refuses it as too large, or crashes on it). */
export async function saScore(smiles: string): Promise<number | null> {
  return (await saScores([smiles]))[0] ?? null;
}

/** Molecules scored between two yields to the event loop (a few ms), so that heartbeats and timers keep running. */
const YIELD_EVERY = 200;

/** SA scores of many SMILES, in order; null for each one RDKit cannot parse. Never throws for a molecule. */
export async function saScores(smilesList: readonly string[]): Promise<(number | null)[]> {
  const contributions = await loadFragmentContributions();
  let rdkit = await loadRDKit();
  const scores: (number | null)[] = [];
  for (const smiles of smilesList) {
    if (scores.length > 0 && scores.length % YIELD_EVERY === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      rdkit = await loadRDKit();
    }
    try {
      const features = withLegacyStereo(rdkit, () => withMol(rdkit, smiles, (mol) => saFeatures(rdkit, mol)));
      // no atoms (sascorer.py answers None): nothing to score
      scores.push(features && features.atoms > 0 ? saScoreFromFeatures(features, contributions) : null);
    } catch (e) {
      if (!(e instanceof RDKitAborted)) throw e;
      scores.push(null); // this molecule crashed the module; the next one gets a new module
      rdkit = await loadRDKit();
    }
  }
  return scores;
}

/** What the SA score needs to know of a molecule RDKit has parsed (and sanitized). */
export function saFeatures(rdkit: RDKit, mol: Mol): SaFeatures {
  const json = readMolJson(mol); // before get_stereo_tags(), which re-perceives stereo on the molecule
  const graph = molGraph(rdkit, json);
  return {
    atoms: graph.atoms.length,
    fragments: morganCounts(graph, 2),
    chiralCentres: chiralCentres(mol, rdkitExtension(json).cipCodes ?? []),
    ...ringFeatures(graph),
  };
}

/**
 * Tetrahedral centres, assigned or not, as FindMolChiralCenters(includeUnassigned=True) counts them with the
 * legacy perception: the atoms it flags as possible centres (every one it gives an R/S code is flagged too).
 *
 * get_stereo_tags() runs that same perception (assignStereochemistry with cleanIt, force and
 * flagPossibleStereoCenters), then RDKit's new CIP labeller, and lists the labelled and the flagged atoms ("?").
 * A "?" is a flagged atom without a code. A labelled atom is a flagged one only if the legacy perception gave it
 * a code: the new labeller also labels ring-stereo atoms the legacy perception kept but did not flag (the r/s of
 * C[C@H]1CC[C@@H](C)CC1), and relabels flagged ones (an R may become an s). So when the labelled atoms are
 * exactly those with a legacy code at parsing (`parseCodes`, from get_json(), which shows no new labels), they are
 * counted; otherwise RDKit's NumAtomStereoCenters counts the flags the perception just set (~1 ms, all
 * descriptors at once; 6 of the 52k validation molecules, none of NCI first_5K).
 */
function chiralCentres(mol: Mol, parseCodes: [number, string][]): number {
  const tags = JSON.parse(mol.get_stereo_tags()) as { CIP_atoms?: [number, string][] };
  const labelled = new Set<number>();
  let unassigned = 0;
  for (const [atom, label] of tags.CIP_atoms ?? []) {
    if (label === '(?)') unassigned++;
    else labelled.add(atom);
  }
  if (labelled.size === parseCodes.length && parseCodes.every(([atom]) => labelled.has(atom)))
    return unassigned + labelled.size;
  const descriptors = JSON.parse(mol.get_descriptors()) as { NumAtomStereoCenters?: number };
  if (typeof descriptors.NumAtomStereoCenters !== 'number')
    throw new Error('RDKit gave no NumAtomStereoCenters');
  return descriptors.NumAtomStereoCenters;
}

/**
 * Runs `fn` under RDKit's legacy stereo perception, the default of RDKit's Python package (and of RDKit-JS), for
 * parsing as well as perception, in case something switched the module's global setting.
 */
function withLegacyStereo<T>(rdkit: RDKit, fn: () => T): T {
  const was = rdkit.use_legacy_stereo_perception(true);
  try {
    return fn();
  } finally {
    if (!was) {
      try {
        rdkit.use_legacy_stereo_perception(false);
      } catch {
        // the module aborted inside fn: it has been discarded, there is nothing to restore
      }
    }
  }
}
