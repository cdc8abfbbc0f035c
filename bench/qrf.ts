/**
 * Quantile regression forest benchmark: cascade's QuantileForest against Python's quantile-forest
 * (RandomForestQuantileRegressor) with matching settings on the same data (written to a temp folder
 * that both read): fit time, quantile predict time and held-out pinball loss at q = 0.05, 0.5, 0.95.
 *
 *   npx tsx bench/qrf.ts [--train 20000] [--test 5000] [--features 10] [--trees 100] [--leaf 5]
 *                        [--threads N] [--interpolation lower|linear] [--repeat 3]
 *
 * The peer runs from a project-local venv (.tools/bench-venv; set QRF_PEER_PYTHON to override):
 *   python3 -m venv .tools/bench-venv && .tools/bench-venv/bin/pip install quantile-forest
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the peer's environment only (they can slow
 * numpy on these machines). The last line printed is JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuantileForest } from '../activities/ml/qrf/forest.js';
import { mulberry32 } from '../lib/random.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const num = (name: string, fallback: number) => Number(args.get(name) ?? fallback);

const nTrain = num('--train', 20_000);
const nTest = num('--test', 5_000);
const d = num('--features', 10);
const nEstimators = num('--trees', 100);
const minSamplesLeaf = num('--leaf', 5);
const threads = num('--threads', availableParallelism());
const interpolation = args.get('--interpolation') ?? 'lower';
/** Each side fits and predicts this many times; the medians are reported (the machines are shared). */
const repeat = num('--repeat', 3);
const maxFeatures = Math.max(1, Math.floor(d / 3));
const bootstrap = true;
const seed = 42;
const qs = [0.05, 0.5, 0.95];

/** Friedman #1 on the first five features, noise growing with x5; the other features are inputs only. */
function dataset(n: number, rngSeed: number) {
  const rng = mulberry32(rngSeed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x = new Float32Array(n * d).map(() => rng());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = (j: number) => x[i * d + j] as number;
    const f = 10 * Math.sin(Math.PI * v(0) * v(1)) + 20 * (v(2) - 0.5) ** 2 + 10 * v(3) + 5 * v(4);
    y[i] = f + (0.5 + 3 * v(5 % d)) * gauss();
  }
  return { x, y };
}

function pinball(y: Float64Array, values: Float64Array, k: number, nq: number, q: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const diff = (y[i] as number) - (values[i * nq + k] as number);
    s += Math.max(q * diff, (q - 1) * diff);
  }
  return s / y.length;
}

const train = dataset(nTrain, 1);
const test = dataset(nTest, 2);
const dir = mkdtempSync(join(tmpdir(), 'qrf-bench-'));
const bytes = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
writeFileSync(join(dir, 'x_train.f32'), bytes(train.x));
writeFileSync(join(dir, 'y_train.f64'), bytes(train.y));
writeFileSync(join(dir, 'x_test.f32'), bytes(test.x));
writeFileSync(join(dir, 'y_test.f64'), bytes(test.y));
const meta = {
  d,
  nEstimators,
  minSamplesLeaf,
  maxFeatures,
  bootstrap,
  threads,
  seed,
  qs,
  interpolation,
  repeat,
};
writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

console.log(
  `median of ${repeat} runs each; data: ${nTrain} train, ${nTest} test rows, ${d} features; trees ${nEstimators}, min_samples_leaf ` +
    `${minSamplesLeaf}, max_features ${maxFeatures}, bootstrap ${bootstrap}, threads ${threads}`,
);

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};

async function ours(nThreads: number) {
  const fits: number[] = [];
  const predicts: number[] = [];
  let values: Float64Array = new Float64Array(0);
  let saved: Uint8Array = new Uint8Array(0);
  let saveSeconds = 0;
  let backend = '';
  for (let r = 0; r < repeat; r++) {
    const forest = new QuantileForest({
      nEstimators,
      minSamplesLeaf,
      maxFeatures,
      bootstrap,
      threads: nThreads,
    });
    const fit = await forest.fit(train.x, d, Float32Array.from(train.y), { seed });
    fits.push(fit.seconds);
    let t0 = performance.now();
    values = (await forest.quantiles(test.x, nTest, qs)).values;
    predicts.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    saved = await forest.save();
    saveSeconds = (performance.now() - t0) / 1000;
    backend = forest.describe().backend;
    forest.dispose();
  }
  const pinballs = Object.fromEntries(
    qs.map((q, k) => [String(q), pinball(test.y, values, k, qs.length, q)]),
  );
  return {
    fitSeconds: median(fits),
    predictSeconds: median(predicts),
    fitRuns: fits,
    predictRuns: predicts,
    saveSeconds,
    modelMiB: saved.length / 2 ** 20,
    backend,
    pinball: pinballs,
  };
}

const oursThreaded = await ours(threads);
const oursSingle = threads > 1 ? await ours(1) : oursThreaded;

const repo = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.QRF_PEER_PYTHON ?? join(repo, '.tools/bench-venv/bin/python');
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
let theirs: {
  fitSeconds: number;
  predictSeconds: number;
  pinball: Record<string, number>;
  fitRuns: number[];
  predictRuns: number[];
  version: string;
} | null = null;
try {
  const out = execFileSync(python, [join(repo, 'bench/qrf_peer.py'), dir], { env, encoding: 'utf8' });
  theirs = JSON.parse(out.trim().split('\n').at(-1) as string);
} catch (err) {
  console.log(`peer failed (is quantile-forest installed in .tools/bench-venv?): ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

const fmt = (r: { fitSeconds: number; predictSeconds: number; pinball: Record<string, number> }) =>
  `fit ${r.fitSeconds.toFixed(3)} s, predict ${r.predictSeconds.toFixed(3)} s, pinball ` +
  qs.map((q) => `q${q}=${(r.pinball[String(q)] as number).toFixed(4)}`).join(' ');
console.log(`ours (${oursThreaded.backend}):  ${fmt(oursThreaded)}`);
if (threads > 1) console.log(`ours (${oursSingle.backend}, 1 thread):  ${fmt(oursSingle)}`);
console.log(`  model ${oursThreaded.modelMiB.toFixed(1)} MiB, save ${oursThreaded.saveSeconds.toFixed(3)} s`);
if (theirs) {
  console.log(
    `quantile-forest ${theirs.version} (n_jobs=${threads}, interpolation=${interpolation}, weighted_leaves=True; ` +
      `OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for the peer only):  ${fmt(theirs)}`,
  );
}
console.log(
  JSON.stringify({
    settings: meta,
    nTrain,
    nTest,
    fitRatio: theirs ? oursThreaded.fitSeconds / theirs.fitSeconds : null,
    predictRatio: theirs ? oursThreaded.predictSeconds / theirs.predictSeconds : null,
    fitRatioSingleThread: theirs ? oursSingle.fitSeconds / theirs.fitSeconds : null,
    predictRatioSingleThread: theirs ? oursSingle.predictSeconds / theirs.predictSeconds : null,
    ours: oursThreaded,
    oursSingleThread: oursSingle,
    theirs,
  }),
);
