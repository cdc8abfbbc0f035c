/**
 * Featurization throughput benchmark: molecules per second for the surrogates' features (Morgan radius 2,
 * 2048 bits, plus the 20 RDKit descriptors in DESCRIPTORS), cascade's featurize() (RDKit MinimalLib,
 * WebAssembly) against RDKit's Python package computing the same features on the same SMILES (the first
 * --n that RDKit-JS parses from RDKit's NCI first_5K.smi, written to a temp folder). Checks that the
 * fingerprints agree bit for bit and the descriptors within a relative tolerance.
 *
 *   npx tsx bench/featurize.ts [--n 2000] [--repeat 3] [--smi /usr/share/RDKit/Data/NCI/first_5K.smi]
 *
 * The peer runs from a project-local venv (.tools/bench-venv, see scripts/bench-setup.sh; set
 * FEATURIZE_PEER_PYTHON to override). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the peer's
 * environment only. Both sides are warmed up, then the median of --repeat runs is reported. The last line
 * printed is JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRDKit, withMol } from '../activities/chem/rdkit.js';
import { DESCRIPTORS, type FeatureSpec, featurize } from '../activities/ml/features.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const n = Number(args.get('--n') ?? 2000);
const repeat = Number(args.get('--repeat') ?? 3);
const smiPath = args.get('--smi') ?? '/usr/share/RDKit/Data/NCI/first_5K.smi';
/** Relative tolerance for descriptor values (stored as float32 on both sides). */
const RTOL = 1e-4;
const ATOL = 1e-4;

const spec: FeatureSpec = { morganRadius: 2, morganBits: 2048, descriptors: true };

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};

const rdkit = await loadRDKit();
const smiles: string[] = [];
for (const line of readFileSync(smiPath, 'utf8').split('\n')) {
  const s = line.trim().split(/\s+/)[0];
  if (s && withMol(rdkit, s, () => true)) smiles.push(s);
  if (smiles.length === n) break;
}

const dir = mkdtempSync(join(tmpdir(), 'featurize-bench-'));
writeFileSync(join(dir, 'smiles.txt'), `${smiles.join('\n')}\n`);
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...spec, descriptorNames: DESCRIPTORS, repeat }));
console.log(
  `${smiles.length} SMILES (first valid ones of ${smiPath}); Morgan r=${spec.morganRadius}, ${spec.morganBits} bits ` +
    `+ ${DESCRIPTORS.length} descriptors; warm-up, then median of ${repeat}`,
);

await featurize(smiles.slice(0, 200), spec); // warm-up
const runs: number[] = [];
let ours: Float32Array = new Float32Array(0);
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  ours = (await featurize(smiles, spec)).matrix;
  runs.push((performance.now() - t0) / 1000);
}
const oursSeconds = median(runs);

const repo = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.FEATURIZE_PEER_PYTHON ?? join(repo, '.tools/bench-venv/bin/python');
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
let theirs: { seconds: number; runs: number[]; version: string; parsed: number } | null = null;
let agreement: {
  molecules: number;
  fingerprintRowsIdentical: number;
  bitsDiffering: number;
  descriptorsWithinTolerance: number;
  descriptorsCompared: number;
  mismatchesByDescriptor: Record<string, number>;
} | null = null;
try {
  const out = execFileSync(python, [join(repo, 'bench/featurize_peer.py'), dir], { env, encoding: 'utf8' });
  theirs = JSON.parse(out.trim().split('\n').at(-1) as string);
  const peer = new Float32Array(readFileSync(join(dir, 'features.f32')).buffer.slice(0));
  const width = spec.morganBits + DESCRIPTORS.length;
  let rowsIdentical = 0;
  let bitsDiffering = 0;
  let within = 0;
  const mismatches: Record<string, number> = {};
  for (let i = 0; i < smiles.length; i++) {
    let rowDiff = 0;
    for (let j = 0; j < spec.morganBits; j++) if (ours[i * width + j] !== peer[i * width + j]) rowDiff++;
    bitsDiffering += rowDiff;
    if (rowDiff === 0) rowsIdentical++;
    DESCRIPTORS.forEach((name, k) => {
      const a = ours[i * width + spec.morganBits + k] as number;
      const b = peer[i * width + spec.morganBits + k] as number;
      if (Math.abs(a - b) <= ATOL + RTOL * Math.abs(b)) within++;
      else mismatches[name] = (mismatches[name] ?? 0) + 1;
    });
  }
  agreement = {
    molecules: smiles.length,
    fingerprintRowsIdentical: rowsIdentical,
    bitsDiffering,
    descriptorsWithinTolerance: within,
    descriptorsCompared: smiles.length * DESCRIPTORS.length,
    mismatchesByDescriptor: mismatches,
  };
} catch (err) {
  console.log(`peer failed (is rdkit installed in .tools/bench-venv?): ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

const oursRate = smiles.length / oursSeconds;
console.log(`ours (featurize(), RDKit-JS): ${oursSeconds.toFixed(3)} s, ${oursRate.toFixed(0)} molecules/s`);
if (theirs && agreement) {
  const rate = smiles.length / theirs.seconds;
  console.log(
    `RDKit Python ${theirs.version} (OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for the peer only): ` +
      `${theirs.seconds.toFixed(3)} s, ${rate.toFixed(0)} molecules/s`,
  );
  console.log(`ratio (ours / RDKit Python, molecules/s): ${(oursRate / rate).toFixed(2)}`);
  console.log(
    `fingerprints: ${agreement.fingerprintRowsIdentical}/${agreement.molecules} molecules identical bit for bit ` +
      `(${agreement.bitsDiffering} bits differ); descriptors: ${agreement.descriptorsWithinTolerance}/` +
      `${agreement.descriptorsCompared} within rtol ${RTOL} + atol ${ATOL}` +
      (Object.keys(agreement.mismatchesByDescriptor).length
        ? `; mismatches ${JSON.stringify(agreement.mismatchesByDescriptor)}`
        : ''),
  );
}
console.log(
  JSON.stringify({
    settings: { n: smiles.length, repeat, ...spec, descriptors: DESCRIPTORS },
    ratio: theirs ? oursRate / (smiles.length / theirs.seconds) : null,
    oursMoleculesPerSecond: oursRate,
    rdkitPythonMoleculesPerSecond: theirs ? smiles.length / theirs.seconds : null,
    oursRuns: runs,
    theirs,
    agreement,
  }),
);
