import { describe, expect, it } from 'vitest';
import { QuantileForest } from '../../activities/ml/qrf/forest.js';
import { qrf, SUB_FORESTS } from '../../activities/ml/surrogates/qrf.js';
import { mulberry32 } from '../../lib/random.js';
import { surrogateSpec } from '../helpers/surrogate-spec.js';

const D = 3;

/** y = sin(x0) + 0.5 x1 + noise whose scale grows with |x2| (heteroscedastic); x in [-3, 3]. */
function dataset(n: number, seed: number, noise = 0.1) {
  const rng = mulberry32(seed);
  const x = new Float32Array(n * D).map(() => 6 * rng() - 3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const y = new Float32Array(n).map((_, i) => {
    const v = (j: number) => x[i * D + j] as number;
    return Math.sin(v(0)) + 0.5 * v(1) + noise * (0.2 + Math.abs(v(2))) * gauss();
  });
  return { x, y, n };
}

function r2(y: Float32Array, pred: Float32Array): number {
  const mu = y.reduce((s, v) => s + v, 0) / y.length;
  let res = 0;
  let tot = 0;
  y.forEach((v, i) => {
    res += (v - (pred[i] as number)) ** 2;
    tot += (v - mu) ** 2;
  });
  return 1 - res / tot;
}

describe('QuantileForest', () => {
  const train = dataset(2000, 1);
  const test = dataset(1000, 2);

  it('learns a known function (held-out R² > 0.9)', async () => {
    const forest = new QuantileForest({ nEstimators: 50, maxFeatures: 2, threads: 1 });
    const report = await forest.fit(train.x, D, train.y, { seed: 7 });
    expect(report.samples).toBe(2000);
    expect(report.trainLoss).toBeGreaterThan(0);
    const { mean, std } = await forest.predict(test.x, test.n);
    expect(r2(test.y, mean)).toBeGreaterThan(0.9);
    expect(Math.min(...std)).toBeGreaterThan(0);
    expect(forest.describe()).toMatchObject({
      kind: 'qrf',
      members: 50,
      nFeatures: 3,
      trainedOn: 2000,
      seed: 7,
    });
  });

  it('gives 90% intervals that cover 80-97% of held-out points under heteroscedastic noise', async () => {
    const noisyTrain = dataset(2000, 3, 0.5);
    const noisyTest = dataset(1000, 4, 0.5);
    const forest = new QuantileForest({ nEstimators: 100, threads: 1 });
    await forest.fit(noisyTrain.x, D, noisyTrain.y, { seed: 1 });
    const { values } = await forest.quantiles(noisyTest.x, noisyTest.n, [0.05, 0.95]);
    let inside = 0;
    let narrow = 0;
    let wide = 0;
    for (let i = 0; i < noisyTest.n; i++) {
      const lo = values[2 * i] as number;
      const hi = values[2 * i + 1] as number;
      const y = noisyTest.y[i] as number;
      if (y >= lo && y <= hi) inside++;
      // intervals should follow the noise scale, set by |x2|
      if (Math.abs(noisyTest.x[i * D + 2] as number) < 0.5) narrow += hi - lo;
      else if (Math.abs(noisyTest.x[i * D + 2] as number) > 2.5) wide += hi - lo;
    }
    const coverage = inside / noisyTest.n;
    expect(coverage).toBeGreaterThan(0.8);
    expect(coverage).toBeLessThan(0.97);
    expect(wide).toBeGreaterThan(narrow);
  });

  it('gives a wider interval far from the data than near it', async () => {
    // only x0 in [-3, 3] is seen; y = x0^2 outside it grows, so a forest extrapolates flat. The far
    // query sits in a corner where the leaf mixes the steepest part of the target.
    const rng = mulberry32(5);
    const n = 2000;
    const x = new Float32Array(n * D).map(() => 2 * rng() - 1);
    const y = new Float32Array(n).map((_, i) => {
      const a = x[i * D] as number;
      return a * a * a * 4 + 0.05 * (rng() - 0.5);
    });
    const forest = new QuantileForest({ nEstimators: 100, minSamplesLeaf: 20, threads: 1 });
    await forest.fit(x, D, y, { seed: 2 });
    const near = Float32Array.of(0, 0, 0);
    const far = Float32Array.of(50, -50, 50);
    const width = async (q: Float32Array) => {
      const { values } = await forest.quantiles(q, 1, [0.05, 0.95]);
      return (values[1] as number) - (values[0] as number);
    };
    expect(await width(far)).toBeGreaterThan(await width(near));
  });

  it('is deterministic for a seed and does not depend on the thread count', async () => {
    const fitOnce = async (seed: number, threads: number) => {
      const f = new QuantileForest({ nEstimators: 20, threads, threadMinWork: 1 });
      await f.fit(train.x, D, train.y, { seed });
      expect(f.describe().backend).toBe(threads > 1 ? `js-threads-${threads}` : 'js');
      return f.predictAll(test.x, test.n);
    };
    const a = await fitOnce(3, 1);
    const b = await fitOnce(3, 1);
    const c = await fitOnce(4, 1);
    const threaded = await fitOnce(3, 2);
    expect(b.mean).toEqual(a.mean);
    expect(b.quantiles).toEqual(a.quantiles);
    expect(c.mean).not.toEqual(a.mean);
    expect(threaded.mean).toEqual(a.mean);
    expect(threaded.std).toEqual(a.std);
    expect(threaded.quantiles).toEqual(a.quantiles);
  });

  it("draws from disjoint sub-forests: each tree's own prediction averaged per group; all of them average to the forest's mean", async () => {
    const forest = new QuantileForest({ nEstimators: 24, threads: 1 });
    await forest.fit(train.x, D, train.y, { seed: 5 });
    const { mean } = await forest.predict(test.x, test.n);
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-5 * (1 + Math.abs(b));
    // one tree per group: the trees themselves, which average to the forest's mean
    const trees = await forest.subForestDraws(test.x, test.n, 100);
    expect(trees).toHaveLength(24); // no more draws than trees
    for (let i = 0; i < test.n; i++) {
      const avg = trees.reduce((s, draw) => s + (draw[i] as number), 0) / trees.length;
      expect(near(avg, mean[i] as number)).toBe(true);
    }
    // 8 groups of 3 (trees k, k+8, k+16): each draw is its trees' mean
    const groups = await forest.subForestDraws(test.x, test.n, 8);
    expect(groups).toHaveLength(8);
    for (let i = 0; i < test.n; i += 13) {
      for (let k = 0; k < 8; k++) {
        const own =
          ((trees[k]?.[i] as number) + (trees[k + 8]?.[i] as number) + (trees[k + 16]?.[i] as number)) / 3;
        expect(near(groups[k]?.[i] as number, own)).toBe(true);
      }
    }
    // draws disagree, and a sub-forest tracks the function better than a single tree
    expect(groups[0]).not.toEqual(groups[1]);
    expect(r2(test.y, groups[0] as Float32Array)).toBeGreaterThan(r2(test.y, trees[0] as Float32Array));
    expect(r2(test.y, groups[0] as Float32Array)).toBeGreaterThan(0.8);
    await expect(forest.subForestDraws(test.x, test.n, 0)).rejects.toThrow(/at least 1/);
  });

  it('returns SUB_FORESTS draws through the registry when samples are asked for, and none otherwise', async () => {
    const spec = surrogateSpec({ kind: 'qrf', forest: { trees: 40 } });
    const req = { x: train.x, nFeatures: D, y: train.y, pool: test.x, spec, seed: 2 };
    const withDraws = await qrf.fitAndPredict({ ...req, samples: true });
    expect(withDraws.samples).toHaveLength(SUB_FORESTS);
    expect(withDraws.samples?.[0]).toHaveLength(test.n);
    expect((await qrf.fitAndPredict(req)).samples).toBeUndefined();
  });

  it('round-trips through save and load', async () => {
    const forest = new QuantileForest({ nEstimators: 15, minSamplesLeaf: 3, maxDepth: 12, threads: 1 });
    await forest.fit(train.x, D, train.y, { seed: 9 });
    const bytes = await forest.save();
    const loaded = await QuantileForest.load(bytes, { threads: 1 });
    expect(loaded.describe()).toEqual(forest.describe());
    const a = await forest.predictAll(test.x, test.n, [0.1, 0.5, 0.9]);
    const b = await loaded.predictAll(test.x, test.n, [0.1, 0.5, 0.9]);
    expect(b.mean).toEqual(a.mean);
    expect(b.std).toEqual(a.std);
    expect(b.quantiles).toEqual(a.quantiles);
    expect(Buffer.compare(await loaded.save(), bytes)).toBe(0);
    await expect(QuantileForest.load(new Uint8Array(20))).rejects.toThrow(/not a qrf model file/);
    forest.dispose();
    await expect(forest.predict(test.x, test.n)).rejects.toThrow(/not been fitted/);
  });

  it('keeps every training point in a leaf (Meinshausen weights, not one sample per leaf)', async () => {
    const forest = new QuantileForest({ nEstimators: 1, bootstrap: false, minSamplesLeaf: 5, threads: 1 });
    await forest.fit(train.x, D, train.y, { seed: 11 });
    const qs = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1];
    for (const row of [0, 17, 123, 999]) {
      const query = train.x.subarray(row * D, (row + 1) * D);
      const { index, weight } = forest.weights(query);
      // the leaf holds the query's own training row and at least minSamplesLeaf rows, equally weighted
      expect(index.length).toBeGreaterThanOrEqual(5);
      expect([...index]).toContain(row);
      for (const w of weight) expect(w).toBeCloseTo(1 / index.length, 12);
      // every training row in that leaf has the same leaf (same weight set) and no row outside does
      const members = new Set(index);
      for (let i = 0; i < train.n; i += 97) {
        const other = forest.weights(train.x.subarray(i * D, (i + 1) * D)).index;
        expect(members.has(i)).toBe(other.length === index.length && other.every((j, k) => j === index[k]));
      }
      // predicted quantiles = empirical quantiles (inverse CDF) of the leaf's training targets
      const ys = [...index].map((i) => train.y[i] as number).sort((a, b) => a - b);
      const m = ys.length;
      const expected = qs.map((q) => ys[Math.max(0, Math.ceil(q * m - 1e-9) - 1)] as number);
      const { values } = await forest.quantiles(query, 1, qs);
      expect([...values]).toEqual(expected.map((v) => Math.fround(v)));
      const { mean } = await forest.predict(query, 1);
      expect(mean[0]).toBeCloseTo(ys.reduce((s, v) => s + v, 0) / m, 5);
    }
  });
});
