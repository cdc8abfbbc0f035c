/**
 * Molecule features for the surrogates: folded Morgan fingerprint bits (RDKit) and, optionally, a fixed
 * list of RDKit 2D descriptors, raw (the model standardises them with its fit-time statistics).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadRDKit, withMol } from '../chem/rdkit.js';
import { threadEntry } from './thread-entry.js';

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

/** Below this many molecules, starting threads (~0.25 s with RDKit's initialisation) costs more than it saves. */
const THREAD_MIN_MOLECULES = 1000;

/**
 * One row per SMILES; a SMILES RDKit cannot parse gives a row of zeros. Large inputs are split across worker
 * threads (RDKit's WebAssembly is single-threaded), which also keeps this thread free for heartbeats.
 */
export async function featurize(
  smiles: string[],
  spec: FeatureSpec,
  opts: { threads?: number } = {},
): Promise<FeatureMatrix> {
  const threads = Math.min(
    opts.threads ?? availableParallelism(),
    Math.ceil(smiles.length / (THREAD_MIN_MOLECULES / 2)),
  );
  if (threads < 2 || smiles.length < THREAD_MIN_MOLECULES) return featurizeHere(smiles, spec);
  const names = featureNames(spec);
  const per = Math.ceil(smiles.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => featurizeInThread(smiles.slice(t * per, (t + 1) * per), spec)),
  );
  const matrix = new Float32Array(smiles.length * names.length);
  let offset = 0;
  for (const part of parts) {
    matrix.set(part, offset);
    offset += part.length;
  }
  return { matrix, nFeatures: names.length, names };
}

const entry = threadEntry(
  new URL('./featurize-thread.js', import.meta.url),
  new URL('./featurize-thread.ts', import.meta.url),
);

function featurizeInThread(smiles: string[], spec: FeatureSpec): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.filename, entry.options);
    worker.once('message', (m: { matrix?: Float32Array; error?: string }) => {
      void worker.terminate();
      if (m.matrix) resolve(m.matrix);
      else reject(new Error(`featurization thread: ${m.error}`));
    });
    worker.once('error', reject);
    worker.postMessage({
      smiles,
      spec: { morganRadius: spec.morganRadius, morganBits: spec.morganBits, descriptors: spec.descriptors },
    });
  });
}

/** The same, in this thread. */
export async function featurizeHere(smiles: string[], spec: FeatureSpec): Promise<FeatureMatrix> {
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
