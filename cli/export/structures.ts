/**
 * The structure each exported candidate carries: a crystal's own cell; a molecule's 3D geometry (the highest
 * tier's optimised one, else the stored embedding its calculations started from) with its bonds; else RDKit's 2D
 * depiction. The store keeps geometries as XYZ, without bonds: they come from OpenChemLib's reading of the
 * SMILES with its hydrogens added, the same molecule (atom for atom, in the same order) the embedding placed
 * (activities/qm/embed-thread.ts); the atoms and the bond lengths are checked before the bonds are used.
 */
import { Molecule } from 'openchemlib';
import { loadRDKit, withMol } from '../../activities/chem/rdkit.js';
import { fromStored, GEOMETRY_GENERATOR } from '../../activities/qm/stored-geometry.js';
import type { Candidate, MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { Geometry } from '../../lib/domain/geometry.js';
import { crystalInAngstrom } from '../../lib/export/crystal.js';
import type { ExportedEvaluation, ExportedMolecule, ExportedStructure } from '../../lib/export/record.js';
import type { Store } from '../../store/store.js';

/** Longest plausible bond (angstrom) to a hydrogen, and between heavier atoms: a longer one means the atoms were matched wrongly. */
const MAX_BOND_TO_H = 1.6;
const MAX_BOND = 2.6;

export async function structureOf(
  store: Store,
  c: Candidate,
  /** The candidate's evaluations, lowest tier first. */
  evaluations: readonly ExportedEvaluation[],
): Promise<ExportedStructure | undefined> {
  if (c.kind === 'crystal') return crystalInAngstrom(c.structure, 'candidate structure');
  const found = await geometryOf(store, c, evaluations);
  const withBonds = found && bonded(c.smiles, found.geometry, found.source);
  return (
    withBonds ??
    depiction(c, found ? 'RDKit 2D depiction (the 3D atoms did not match the SMILES)' : undefined)
  );
}

async function geometryOf(
  store: Store,
  c: MoleculeCandidate,
  evaluations: readonly ExportedEvaluation[],
): Promise<{ geometry: Geometry; source: string } | undefined> {
  for (const e of [...evaluations].reverse()) {
    if (!e.resultKey || e.status !== 'ok') continue;
    const outputs = (await store.getQmResult(e.resultKey))?.outputs as
      | { finalGeometry?: Geometry }
      | undefined;
    if (outputs?.finalGeometry)
      return { geometry: outputs.finalGeometry, source: `optimised at tier ${e.tier}` };
  }
  const stored = await store.getGeometry(c.smiles, GEOMETRY_GENERATOR);
  return stored ? { geometry: fromStored(stored), source: `embedding ${GEOMETRY_GENERATOR}` } : undefined;
}

/** The geometry with OpenChemLib's bonds and formal charges, or undefined when its atoms are not the SMILES'. */
export function bonded(smiles: string, g: Geometry, source: string): ExportedMolecule | undefined {
  let mol: Molecule;
  try {
    mol = Molecule.fromSmiles(smiles);
  } catch {
    return undefined;
  }
  mol.addImplicitHydrogens();
  mol.ensureHelperArrays(Molecule.cHelperNeighbours);
  const n = mol.getAllAtoms();
  if (n !== g.symbols.length) return undefined;
  for (let a = 0; a < n; a++) if (mol.getAtomLabel(a) !== g.symbols[a]) return undefined;
  const bonds: Array<[number, number, number]> = [];
  for (let b = 0; b < mol.getAllBonds(); b++) {
    const i = mol.getBondAtom(0, b);
    const j = mol.getBondAtom(1, b);
    const [p, q] = [g.coords[i], g.coords[j]];
    if (!p || !q) return undefined;
    const length = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    const limit = g.symbols[i] === 'H' || g.symbols[j] === 'H' ? MAX_BOND_TO_H : MAX_BOND;
    if (length > limit) return undefined;
    bonds.push([i, j, mol.getBondOrder(b)]);
  }
  const atomCharges = Array.from({ length: n }, (_, a) => mol.getAtomCharge(a));
  return {
    kind: 'molecule',
    symbols: g.symbols,
    coords: g.coords,
    charge: g.charge,
    atomCharges,
    bonds,
    source,
  };
}

/** RDKit's 2D depiction of the SMILES as a molblock; undefined when RDKit cannot read it. */
async function depiction(c: MoleculeCandidate, why = 'RDKit 2D depiction (no stored 3D geometry)') {
  const rdkit = await loadRDKit();
  const molblock = withMol(rdkit, c.smiles, (mol) => {
    mol.set_new_coords();
    return mol.get_molblock();
  });
  return molblock ? ({ kind: 'molblock', molblock, source: why } as const) : undefined;
}
