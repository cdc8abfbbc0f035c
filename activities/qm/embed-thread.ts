/**
 * Worker-thread entry: embeds one SMILES in 3D with OpenChemLib (see geometry.ts for why one thread per
 * molecule). Conformers come from OpenChemLib's ConformerGenerator with a fixed seed, each is minimised with
 * MMFF94s+, and the lowest-energy one is kept; elements MMFF94 cannot type (B, Se, metals, H2) keep the
 * generator's own coordinates. No top-level await: the .ts source is loaded through tsx's CommonJS hooks.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface EmbedRequest {
  smiles: string;
  seed: number;
  conformers: number;
}

export type EmbedReply =
  | {
      symbols: string[];
      coords: [number, number, number][];
      charge: number;
      /** Whether MMFF94s+ minimised it (false: the generator's coordinates). */
      minimised: boolean;
    }
  | { error: string };

type Ocl = typeof import('openchemlib');
type Molecule = InstanceType<Ocl['Molecule']>;

function embed(ocl: Ocl, req: EmbedRequest): EmbedReply {
  let mol: Molecule;
  try {
    mol = ocl.Molecule.fromSmiles(req.smiles);
  } catch (e) {
    // GWT exceptions read "Class$S19: SmilesParser: dangling ring closure: 1; position:4"
    return { error: String((e as Error).message ?? e).replace(/^Class\$\S+:\s*/, '') };
  }
  if (mol.getAllAtoms() === 0) return { error: 'no atoms' };
  // the torsion library first; where none of its torsion sets is free of collisions (seen for phenyl
  // p-toluate, Cc1ccc(C(=O)Oc2ccccc2)cc1), 60-degree steps for every rotatable bond: a fixed order, so the
  // result stays a function of the SMILES alone
  for (const options of [undefined, { use60degreeSteps: true }]) {
    const generator = new ocl.ConformerGenerator(req.seed);
    if (!generator.initializeConformers(ocl.Molecule.fromSmiles(req.smiles), options)) {
      return { error: 'OpenChemLib found a structure problem' };
    }
    const reply = lowestConformer(ocl, generator, req.conformers);
    if (reply) return reply;
  }
  return { error: 'OpenChemLib generated no conformer' };
}

/**
 * The lowest-energy conformer after MMFF94s+ of the generator's first `n` (the first one as generated where
 * MMFF94 cannot type an atom); undefined when the generator gives none.
 */
function lowestConformer(
  ocl: Ocl,
  generator: InstanceType<Ocl['ConformerGenerator']>,
  n: number,
): EmbedReply | undefined {
  let best: { mol: Molecule; energy: number } | undefined;
  let first: Molecule | undefined;
  for (let i = 0; i < n; i++) {
    const conformer = generator.getNextConformerAsMolecule();
    if (!conformer) break;
    first ??= conformer;
    let field: InstanceType<Ocl['ForceFieldMMFF94']>;
    try {
      field = new ocl.ForceFieldMMFF94(conformer, 'MMFF94s+');
    } catch {
      break; // an atom MMFF94 cannot type: every conformer would fail alike
    }
    field.minimise();
    const energy = field.getTotalEnergy();
    if (Number.isFinite(energy) && (!best || energy < best.energy)) best = { mol: conformer, energy };
  }
  const chosen = best?.mol ?? first;
  if (!chosen) return undefined;
  const symbols: string[] = [];
  const coords: [number, number, number][] = [];
  let charge = 0;
  for (let a = 0; a < chosen.getAllAtoms(); a++) {
    symbols.push(chosen.getAtomLabel(a));
    coords.push([chosen.getAtomX(a), chosen.getAtomY(a), chosen.getAtomZ(a)]);
    charge += chosen.getAtomCharge(a);
  }
  return { symbols, coords, charge, minimised: best !== undefined };
}

if (parentPort) {
  const port = parentPort;
  import('openchemlib').then(
    (ocl) => {
      ocl.Resources.registerFromNodejs();
      let reply: EmbedReply;
      try {
        reply = embed(ocl, workerData as EmbedRequest);
      } catch (e) {
        reply = { error: String((e as Error).message ?? e).replace(/^Class\$\S+:\s*/, '') };
      }
      port.postMessage(reply);
    },
    (e: unknown) => port.postMessage({ error: `cannot load OpenChemLib: ${(e as Error).message}` }),
  );
}
