/**
 * Molecule features for the surrogates: folded Morgan fingerprint bits (RDKit) and, optionally, a fixed
 * list of RDKit 2D descriptors, raw (the model standardises them with its fit-time statistics).
 */
import { loadRDKit, withMol } from '../chem/rdkit.js';

export interface FeatureSpec {
  morganRadius: number;
  morganBits: number;
  descriptors: boolean;
}

export interface FeatureMatrix {
  /** Row-major, n x nFeatures. */
  matrix: Float32Array;
  nFeatures: number;
  names: string[];
}

/**
 * RDKit descriptor names (keys of `get_descriptors()`), in column order. Changing this list changes
 * the features: bump the featurizer version of any cache built on them.
 */
export const DESCRIPTORS = [
  'exactmw',
  'NumHeavyAtoms',
  'NumHeteroatoms',
  'NumHBD',
  'NumHBA',
  'NumRotatableBonds',
  'NumRings',
  'NumAromaticRings',
  'NumAliphaticRings',
  'NumSaturatedRings',
  'NumHeterocycles',
  'NumAmideBonds',
  'NumAtomStereoCenters',
  'FractionCSP3',
  'tpsa',
  'CrippenClogP',
  'CrippenMR',
  'labuteASA',
  'chi1v',
  'kappa2',
] as const;

/** Molecules between yields to the event loop (about 0.1 s of work), so heartbeats keep flowing. */
const YIELD_EVERY = 100;

export function featureNames(spec: FeatureSpec): string[] {
  const bits = Array.from({ length: spec.morganBits }, (_, i) => `morgan${spec.morganRadius}_${i}`);
  return spec.descriptors ? [...bits, ...DESCRIPTORS] : bits;
}

/** One row per SMILES; a SMILES RDKit cannot parse gives a row of zeros. */
export async function featurize(smiles: string[], spec: FeatureSpec): Promise<FeatureMatrix> {
  const rdkit = await loadRDKit();
  const names = featureNames(spec);
  const nFeatures = names.length;
  const matrix = new Float32Array(smiles.length * nFeatures);
  const details = JSON.stringify({ radius: spec.morganRadius, nBits: spec.morganBits });
  for (const [row, s] of smiles.entries()) {
    if (row > 0 && row % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    const out = matrix.subarray(row * nFeatures, (row + 1) * nFeatures);
    const ok = withMol(rdkit, s, (mol) => {
      unpackBits(mol.get_morgan_fp_as_uint8array(details) as Uint8Array, spec.morganBits, out);
      if (spec.descriptors) {
        const d = JSON.parse(mol.get_descriptors()) as Record<string, unknown>;
        DESCRIPTORS.forEach((name, k) => {
          const v = d[name];
          out[spec.morganBits + k] = typeof v === 'number' && Number.isFinite(v) ? v : 0;
        });
      }
      return true;
    });
    if (!ok) out.fill(0); // unparseable, or RDKit failed half-way
  }
  return { matrix, nFeatures, names };
}

/** RDKit packs bit i into byte i >> 3 at position i & 7 (least significant first). */
function unpackBits(packed: Uint8Array, nBits: number, out: Float32Array): void {
  for (let i = 0; i < nBits; i++) out[i] = ((packed[i >> 3] as number) >> (i & 7)) & 1;
}
