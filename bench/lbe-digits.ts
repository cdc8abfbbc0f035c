/**
 * Latent binary encoding on scikit-learn's digits (test/fixtures/digits): trains LatentBinaryClassifier
 * with λ = 0 and λ > 0 over several seeds on one fixed stratification-free 70/30 split, and prints test
 * accuracy and neural-collapse metrics of the bottleneck z (activities/ml/lbe/collapse.ts) on the
 * training and test sets. The last line printed is JSON.
 *
 *   npx tsx bench/lbe-digits.ts [--lambda 0.01] [--latent 4] [--epochs 150] [--seeds 3]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LatentBinaryClassifier } from '../activities/ml/lbe/classifier.js';
import { type CollapseMetrics, collapseMetrics } from '../activities/ml/lbe/collapse.js';
import { mulberry32, shuffle } from '../lib/random.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const num = (name: string, fallback: number) => Number(args.get(name) ?? fallback);
const lambdaOn = num('--lambda', 0.01);
const latentDim = num('--latent', 4);
const epochs = num('--epochs', 150);
const nSeeds = num('--seeds', 3);
const hiddenLayers = [128, 64];
const SPLIT_SEED = 20231012;

const csv = readFileSync(
  fileURLToPath(new URL('../test/fixtures/digits/digits.csv', import.meta.url)),
  'utf8',
);
const rows = csv
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));
const F = 64;
const order = shuffle(
  rows.map((_, i) => i),
  mulberry32(SPLIT_SEED),
);
const nTrain = Math.round(0.7 * rows.length);
function subset(idx: number[]) {
  const x = new Float32Array(idx.length * F);
  const y = new Int32Array(idx.length);
  idx.forEach((r, i) => {
    const row = rows[r] as number[];
    x.set(row.slice(0, F), i * F);
    y[i] = row[F] as number;
  });
  return { x, y, n: idx.length };
}
const train = subset(order.slice(0, nTrain));
const test = subset(order.slice(nTrain));

interface Run {
  lambda: number;
  seed: number;
  accuracy: number;
  seconds: number;
  train: Summary;
  test: Summary;
}
type Summary = Omit<CollapseMetrics, 'binarity'> & { levels: [number, number][]; bimodality: number[] };

const summarise = (m: CollapseMetrics): Summary => {
  const { binarity, ...rest } = m;
  return {
    ...rest,
    levels: binarity.map((b) => [round(b.low), round(b.high)]),
    bimodality: binarity.map((b) => round(b.bimodality)),
  };
};
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

const runs: Run[] = [];
for (const lambda of [0, lambdaOn]) {
  for (let s = 0; s < nSeeds; s++) {
    const model = new LatentBinaryClassifier();
    const report = await model.fit(train.x, F, train.y, {
      classes: 10,
      lambda,
      epochs,
      seed: s + 1,
      hiddenLayers,
      latentDim,
      learningRate: 1e-3,
    });
    const pTest = await model.predict(test.x, test.n);
    const pTrain = await model.predict(train.x, train.n);
    const accuracy = pTest.labels.reduce((c, l, i) => c + (l === test.y[i] ? 1 : 0), 0) / test.n;
    const run: Run = {
      lambda,
      seed: s + 1,
      accuracy,
      seconds: report.seconds,
      train: summarise(collapseMetrics(pTrain.z, latentDim, train.y)),
      test: summarise(collapseMetrics(pTest.z, latentDim, test.y)),
    };
    runs.push(run);
    const t = run.test;
    console.log(
      `λ=${lambda} seed=${run.seed} acc=${accuracy.toFixed(4)} (${report.seconds.toFixed(1)} s, CE ${report.crossEntropy.toFixed(4)}, pen ${report.penalty.toFixed(4)}) | test: NC1 ${t.nc1.toFixed(3)} equinormCV ${t.equinormCV.toFixed(3)} cos ${t.cosineMean.toFixed(3)}±${t.cosineStd.toFixed(3)} (simplex ${t.simplexCosine.toFixed(3)}) binarity ${t.meanBinarity.toFixed(3)} levels ${JSON.stringify(t.levels)}`,
    );
    model.dispose();
  }
}

const stat = (values: number[]) => {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean: round(m, 4), sd: round(sd, 4) };
};
const keys = ['nc1', 'equinormCV', 'cosineMean', 'cosineStd', 'meanBinarity'] as const;
const summary = [0, lambdaOn].map((lambda) => {
  const rs = runs.filter((r) => r.lambda === lambda);
  const agg = (set: 'train' | 'test') =>
    Object.fromEntries(keys.map((k) => [k, stat(rs.map((r) => r[set][k]))]));
  return { lambda, accuracy: stat(rs.map((r) => r.accuracy)), test: agg('test'), train: agg('train') };
});
for (const s of summary) {
  const f = (v: { mean: number; sd: number }) => `${v.mean} ± ${v.sd}`;
  console.log(
    `λ=${s.lambda}: acc ${f(s.accuracy)}; test NC1 ${f(s.test.nc1 as never)}, equinormCV ${f(s.test.equinormCV as never)}, cos ${f(s.test.cosineMean as never)} (std ${f(s.test.cosineStd as never)}), binarity ${f(s.test.meanBinarity as never)}`,
  );
}
console.log(
  JSON.stringify({
    bench: 'lbe-digits',
    split: { train: train.n, test: test.n, seed: SPLIT_SEED },
    hiddenLayers,
    latentDim,
    epochs,
    summary,
    runs,
  }),
);
