/**
 * Screening throughput benchmark: candidates per second for a deep ensemble (5 members, 2048 -> 256 -> 256
 * -> 1, ReLU) predicting mean and spread on real fingerprints: RDKit's NCI sample (Data/NCI/first_5K.smi,
 * the molecules RDKit-JS parses), featurised by cascade's own featurize() (Morgan radius 2, 2048 bits, with
 * --descriptors also the 20 RDKit descriptors), the rows repeated up to --n. Four ways, same run, same weights
 * (exported from ours), same inputs, same 4096-row chunks:
 *   - ours: MlpEnsemble.predict with the sparse kernel chooseSparseKernel picks (native: the whole forward pass in
 *     C, its own threads; wasm: a WebAssembly first layer, TF.js after it, helper threads), on up to one thread
 *     per core while the load average leaves a core spare, and the same on one thread;
 *   - ours, dense: the same with { sparse: false } (the whole network on TF.js, on selectBackend's backend);
 *   - PyTorch CPU, dense nn.Linear network;
 *   - PyTorch CPU, first layer as nn.EmbeddingBag over the set bits (the best a peer could do).
 *
 *   npx tsx bench/screen.ts [--n 20000] [--hidden 256,256] [--members 5] [--repeat 3] [--descriptors 0|1]
 *   (CASCADE_SPARSE_KERNEL=wasm|native to force a kernel)
 *
 * The peer runs from a project-local venv (.tools/bench-venv, see scripts/bench-setup.sh; set
 * SCREEN_PEER_PYTHON to override) with torch.set_num_threads(os.cpu_count()); OPENBLAS_CORETYPE,
 * OPENBLAS_L2_SIZE, OMP_NUM_THREADS and MKL_NUM_THREADS are removed from its environment. Every way is warmed
 * up once, then the median of --repeat runs is reported. The last line printed is JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlpEnsemble } from '../activities/ml/ensemble.js';
import { featurize } from '../activities/ml/features.js';
import { chooseSparseKernel } from '../activities/ml/sparse/native.js';
import { mulberry32 } from '../lib/random.js';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
const BITS = 2048;
const CHUNK = 4096;

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const num = (name: string, fallback: number) => Number(args.get(name) ?? fallback);

const n = num('--n', 20_000);
const hidden = (args.get('--hidden') ?? '256,256').split(',').map(Number);
const members = num('--members', 5);
const repeat = num('--repeat', 3);
const descriptors = num('--descriptors', 0) === 1;

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};
const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

// Real fingerprints: RDKit gives an unparseable SMILES a row of zeros, so those rows are dropped.
const smiles = readFileSync(NCI, 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/)[0] ?? '')
  .filter(Boolean);
const features = await featurize(smiles, { morganRadius: 2, morganBits: BITS, descriptors });
const d = features.nFeatures;
const molecules: Float32Array[] = [];
let setBits = 0;
for (let i = 0; i < smiles.length; i++) {
  const row = features.matrix.subarray(i * d, (i + 1) * d);
  const bits = row.subarray(0, BITS).reduce((s, v) => s + v, 0);
  if (bits === 0) continue;
  molecules.push(row);
  setBits += bits;
}
const x = new Float32Array(n * d);
for (let r = 0; r < n; r++) x.set(molecules[r % molecules.length] as Float32Array, r * d);

// Weights from a quick fit (one epoch on 256 of the molecules): throughput does not depend on their values.
const trainRows = 256;
const rngY = mulberry32(2);
const trainY = new Float32Array(trainRows).map(() => rngY());
const ensemble = new MlpEnsemble({
  ensembleSize: members,
  hiddenLayers: hidden,
  epochs: 1,
  learningRate: 1e-3,
});
await ensemble.fit(x.subarray(0, trainRows * d), d, trainY, { seed: 7 });
const backend = ensemble.describe().backend;
// the choice SparseMembers.create makes at the first screen below (same environment, same addon)
const kernel = chooseSparseKernel();

const dir = mkdtempSync(join(tmpdir(), 'screen-bench-'));
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
writeFileSync(join(dir, 'x.f32'), bytes(x));
writeFileSync(join(dir, 'model.bin'), await ensemble.save());
const meta = { n, d, bits: BITS, hidden, members, repeat, chunk: CHUNK };
writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

const meanSetBits = setBits / molecules.length;
console.log(
  `${n} candidates (${molecules.length} NCI molecules repeated; ${meanSetBits.toFixed(1)} of ${BITS} bits set on ` +
    `average${descriptors ? ', plus 20 descriptors' : ''}); ensemble of ${members}: ${d} -> ${hidden.join(' -> ')} ` +
    `-> 1 (ReLU); warm-up, then median of ${repeat}; load average before: ${loadavg()[0]?.toFixed(2)}`,
);
console.log(`sparse kernel: ${kernel.kernel} (${kernel.reason})`);

/** Warm-up on all rows (for ours this starts the helper threads: its time is reported), then `repeat` runs. */
async function time(opts: { sparse: boolean; threads?: number }) {
  const t0 = performance.now();
  await ensemble.predict(x, n, opts);
  const warmUp = (performance.now() - t0) / 1000;
  const runs: number[] = [];
  let out: { mean: Float32Array; std: Float32Array } = {
    mean: new Float32Array(0),
    std: new Float32Array(0),
  };
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    out = await ensemble.predict(x, n, opts);
    runs.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(runs), runs, warmUp, ...out };
}
const ours = await time({ sparse: true });
const oursOneThread = await time({ sparse: true, threads: 1 });
const oursDense = await time({ sparse: false });
ensemble.dispose();

interface Peer {
  denseSeconds: number;
  denseRuns: number[];
  bagSeconds: number;
  bagRuns: number[];
  threads: number;
  version: string;
  slowingEnvSet: string[];
}
const repo = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.SCREEN_PEER_PYTHON ?? join(repo, '.tools/bench-venv/bin/python');
const env = { ...process.env };
for (const name of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'])
  delete env[name];
let peer: Peer | null = null;
let peerDiff: Record<string, number> | null = null;
try {
  const out = execFileSync(python, [join(repo, 'bench/screen_peer.py'), dir], { env, encoding: 'utf8' });
  peer = JSON.parse(out.trim().split('\n').at(-1) as string) as Peer;
  const read = (name: string) => new Float32Array(readFileSync(join(dir, name)).buffer.slice(0));
  peerDiff = {
    meanVsTorchDense: maxDiff(ours.mean, read('dense_mean.f32')),
    stdVsTorchDense: maxDiff(ours.std, read('dense_std.f32')),
    meanVsTorchBag: maxDiff(ours.mean, read('bag_mean.f32')),
    stdVsTorchBag: maxDiff(ours.std, read('bag_std.f32')),
  };
} catch (err) {
  console.log(`peer failed (is torch installed in .tools/bench-venv?): ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

const rate = (seconds: number) => n / seconds;
const oursRate = rate(ours.seconds);
const torchDense = peer ? rate(peer.denseSeconds) : null;
const torchBag = peer ? rate(peer.bagSeconds) : null;
const maxAbsDiff = {
  meanVsOursDense: maxDiff(ours.mean, oursDense.mean),
  meanVsOursOneThread: maxDiff(ours.mean, oursOneThread.mean),
  stdVsOursDense: maxDiff(ours.std, oursDense.std),
  ...peerDiff,
};
console.log(
  `ours (MlpEnsemble.predict, sparse kernel ${kernel.kernel}, tf backend ${backend}): ${oursRate.toFixed(0)} candidates/s`,
);
console.log(
  `ours on one thread: ${rate(oursOneThread.seconds).toFixed(0)} candidates/s; ours, dense network (${backend}): ` +
    `${rate(oursDense.seconds).toFixed(0)} candidates/s; ours' first call (starts the helper thread, if it is used): ` +
    `${ours.warmUp.toFixed(2)} s`,
);
if (peer && torchDense && torchBag) {
  console.log(
    `PyTorch ${peer.version} (CPU, ${peer.threads} threads, no_grad; slowing env vars set: ` +
      `${peer.slowingEnvSet.length ? peer.slowingEnvSet.join(', ') : 'none'}): dense ${torchDense.toFixed(0)}/s, ` +
      `EmbeddingBag ${torchBag.toFixed(0)}/s`,
  );
  console.log(
    `ratios (ours / PyTorch, candidates/s): ${(oursRate / torchDense).toFixed(2)} vs dense, ` +
      `${(oursRate / torchBag).toFixed(2)} vs EmbeddingBag; max abs difference of outputs ` +
      `${Math.max(...Object.values(maxAbsDiff)).toExponential(1)}`,
  );
}
console.log(
  JSON.stringify({
    settings: { ...meta, descriptors, molecules: molecules.length, meanSetBits },
    backend,
    sparseKernel: kernel.kernel,
    sparseKernelReason: kernel.reason,
    loadAverage: loadavg(),
    candidatesPerSecond: {
      ours: oursRate,
      oursOneThread: rate(oursOneThread.seconds),
      oursDense: rate(oursDense.seconds),
      torchDense,
      torchEmbeddingBag: torchBag,
    },
    ratioVsTorchDense: torchDense ? oursRate / torchDense : null,
    ratioVsTorchEmbeddingBag: torchBag ? oursRate / torchBag : null,
    maxAbsDiff,
    oursFirstCallSeconds: ours.warmUp,
    oursRuns: ours.runs,
    oursOneThreadRuns: oursOneThread.runs,
    oursDenseRuns: oursDense.runs,
    peer,
  }),
);
