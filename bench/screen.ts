/**
 * Screening throughput benchmark: candidates per second for a deep ensemble (5 members, 2048 -> 256 -> 256
 * -> 1, ReLU) predicting mean and spread, cascade's MlpEnsemble.predict on the backend selectBackend picks
 * against PyTorch on the CPU with the same weights (exported from ours), the same inputs (random
 * fingerprint-like 0/1 rows, written to a temp folder as float32) and the same 4096-row chunks.
 *
 *   npx tsx bench/screen.ts [--n 20000] [--features 2048] [--hidden 256,256] [--members 5]
 *                           [--density 0.1] [--repeat 3]
 *
 * The peer runs from a project-local venv (.tools/bench-venv, see scripts/bench-setup.sh; set
 * SCREEN_PEER_PYTHON to override). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the peer's
 * environment only. Both sides are warmed up once, then the median of --repeat runs is reported. The last
 * line printed is JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlpEnsemble } from '../activities/ml/ensemble.js';
import { mulberry32 } from '../lib/random.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const num = (name: string, fallback: number) => Number(args.get(name) ?? fallback);

const n = num('--n', 20_000);
const d = num('--features', 2048);
const hidden = (args.get('--hidden') ?? '256,256').split(',').map(Number);
const members = num('--members', 5);
const density = num('--density', 0.1);
const repeat = num('--repeat', 3);

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};

/** Fingerprint-like rows: each bit set with probability `density`. */
function bits(rows: number, rngSeed: number): Float32Array {
  const rng = mulberry32(rngSeed);
  return new Float32Array(rows * d).map(() => (rng() < density ? 1 : 0));
}

// Weights come from a quick fit (one epoch on 256 rows): throughput does not depend on their values.
const trainRows = 256;
const trainX = bits(trainRows, 1);
const rngY = mulberry32(2);
const trainY = new Float32Array(trainRows).map(() => rngY());
const ensemble = new MlpEnsemble({
  ensembleSize: members,
  hiddenLayers: hidden,
  epochs: 1,
  learningRate: 1e-3,
});
await ensemble.fit(trainX, d, trainY, { seed: 7 });
const backend = ensemble.describe().backend;
const x = bits(n, 3);

const dir = mkdtempSync(join(tmpdir(), 'screen-bench-'));
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
writeFileSync(join(dir, 'x.f32'), bytes(x));
writeFileSync(join(dir, 'model.bin'), await ensemble.save());
const meta = { n, d, hidden, members, repeat, chunk: 4096 };
writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

console.log(
  `${n} candidates x ${d} features (0/1, density ${density}); ensemble of ${members}: ${d} -> ${hidden.join(' -> ')} -> 1 ` +
    `(ReLU); warm-up, then median of ${repeat}`,
);

await ensemble.predict(x.subarray(0, 4096 * d), 4096); // warm-up (kernels, allocations)
const runs: number[] = [];
let mean: Float32Array = new Float32Array(0);
let std: Float32Array = new Float32Array(0);
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  ({ mean, std } = await ensemble.predict(x, n));
  runs.push((performance.now() - t0) / 1000);
}
ensemble.dispose();
const oursSeconds = median(runs);

const repo = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.SCREEN_PEER_PYTHON ?? join(repo, '.tools/bench-venv/bin/python');
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
let theirs: { seconds: number; runs: number[]; threads: number; version: string } | null = null;
let maxAbsDiff: { mean: number; std: number } | null = null;
try {
  const out = execFileSync(python, [join(repo, 'bench/screen_peer.py'), dir], { env, encoding: 'utf8' });
  theirs = JSON.parse(out.trim().split('\n').at(-1) as string);
  const read = (name: string) => new Float32Array(readFileSync(join(dir, name)).buffer.slice(0));
  const [pm, ps] = [read('mean.f32'), read('std.f32')];
  const maxDiff = (a: Float32Array, b: Float32Array) =>
    a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
  maxAbsDiff = { mean: maxDiff(mean, pm), std: maxDiff(std, ps) };
} catch (err) {
  console.log(`peer failed (is torch installed in .tools/bench-venv?): ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

const oursRate = n / oursSeconds;
console.log(
  `ours (MlpEnsemble.predict, ${backend}): ${oursSeconds.toFixed(3)} s, ${oursRate.toFixed(0)} candidates/s`,
);
if (theirs) {
  const rate = n / theirs.seconds;
  console.log(
    `PyTorch ${theirs.version} (CPU, ${theirs.threads} threads, no_grad; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset ` +
      `for the peer only): ${theirs.seconds.toFixed(3)} s, ${rate.toFixed(0)} candidates/s`,
  );
  console.log(
    `ratio (ours / PyTorch, candidates/s): ${(oursRate / rate).toFixed(2)}; predictions agree within ` +
      `${maxAbsDiff?.mean.toExponential(1)} (mean), ${maxAbsDiff?.std.toExponential(1)} (std)`,
  );
}
console.log(
  JSON.stringify({
    settings: { ...meta, density },
    backend,
    ratio: theirs ? oursRate / (n / theirs.seconds) : null,
    oursCandidatesPerSecond: oursRate,
    torchCandidatesPerSecond: theirs ? n / theirs.seconds : null,
    oursRuns: runs,
    theirs,
    maxAbsDiff,
  }),
);
