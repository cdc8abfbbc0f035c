import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../activities/ml/backend.js';
import { MlpEnsemble } from '../../activities/ml/ensemble.js';
import { mulberry32 } from '../../lib/random.js';

const D = 8;
const rng = mulberry32(2024);
/** A smooth function of the first four of eight features (the rest are noise inputs). */
const target = (x: Float32Array, i: number) => {
  const v = (j: number) => x[i * D + j] as number;
  return Math.sin(2 * v(0)) + v(1) * v(2) + 0.5 * v(3);
};
function dataset(n: number, scale = 1) {
  const x = new Float32Array(n * D).map(() => scale * (2 * rng() - 1));
  return { x, y: new Float32Array(n).map((_, i) => target(x, i)), n };
}
const average = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;

const train = dataset(300);
const test = dataset(200);
const spec = { ensembleSize: 3, hiddenLayers: [32, 32], epochs: 60, learningRate: 3e-3 };
let model: MlpEnsemble;

beforeAll(async () => {
  model = new MlpEnsemble(spec);
  const report = await model.fit(train.x, D, train.y, { seed: 1 });
  expect(report.samples).toBe(300);
  expect(report.trainLoss).toBeLessThan(0.1);
});
afterAll(() => model.dispose());

describe('MlpEnsemble', () => {
  it('returns each member’s predictions when asked, their mean and spread the prediction’s', async () => {
    const { mean, std, samples } = await model.predict(test.x, test.n, { members: true });
    expect(samples).toHaveLength(spec.ensembleSize);
    for (let r = 0; r < test.n; r += 17) {
      const values = (samples ?? []).map((s) => s[r] as number);
      const mu = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mu) ** 2, 0) / values.length);
      expect(mu).toBeCloseTo(mean[r] as number, 4);
      expect(Math.max(sd, std[r] as number) - Math.min(sd, std[r] as number)).toBeLessThan(1e-3 + 0.01 * sd);
    }
    expect((await model.predict(test.x, test.n)).samples).toBeUndefined();
  });

  it('learns a smooth function (held-out R² > 0.8)', async () => {
    const { mean, std } = await model.predict(test.x, test.n);
    expect(mean).toHaveLength(test.n);
    expect(std).toHaveLength(test.n);
    let residual = 0;
    let total = 0;
    const mu = average(test.y);
    test.y.forEach((y, i) => {
      residual += (y - (mean[i] as number)) ** 2;
      total += (y - mu) ** 2;
    });
    expect(1 - residual / total).toBeGreaterThan(0.8);
    expect(Math.min(...std)).toBeGreaterThan(0);
  });

  it('is more uncertain far from the training data than near it', async () => {
    const far = dataset(200, 5);
    const near = await model.predict(test.x, test.n);
    const away = await model.predict(far.x, far.n);
    expect(average(away.std)).toBeGreaterThan(2 * average(near.std));
  });

  it('describes itself', () => {
    expect(model.describe()).toEqual({
      kind: 'mlp-ensemble',
      backend: expect.any(String),
      members: 3,
      layers: [32, 32],
      nFeatures: D,
      trainedOn: 300,
      epochs: 60,
      learningRate: 3e-3,
      seed: 1,
    });
    expect(BACKENDS).toContain(model.describe().backend);
  });

  it('saves and loads to identical predictions', async () => {
    const bytes = await model.save();
    const loaded = await MlpEnsemble.load(bytes);
    try {
      const a = await model.predict(test.x, test.n);
      const b = await loaded.predict(test.x, test.n);
      expect(b.mean).toEqual(a.mean);
      expect(b.std).toEqual(a.std);
      expect(loaded.describe()).toEqual(model.describe());
    } finally {
      loaded.dispose();
    }
    await expect(MlpEnsemble.load(bytes.subarray(0, bytes.length - 4))).rejects.toThrow(/truncated/);
    await expect(MlpEnsemble.load(new Uint8Array(64))).rejects.toThrow(/not an mlp-ensemble/);
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const small = { ensembleSize: 2, hiddenLayers: [8], epochs: 5, learningRate: 1e-2 };
    const run = async (seed: number) => {
      const m = new MlpEnsemble(small);
      await m.fit(train.x, D, train.y, { seed });
      const p = await m.predict(test.x, test.n);
      m.dispose();
      return p.mean;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('reports progress and frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const m = new MlpEnsemble({ ensembleSize: 2, hiddenLayers: [4], epochs: 3, learningRate: 1e-2 });
    const fractions: number[] = [];
    await m.fit(train.x, D, train.y, { onProgress: (f) => fractions.push(f) });
    await m.predict(test.x, test.n);
    await m.save();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(fractions).toHaveLength(6);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((p, q) => p - q)).toEqual(fractions);
  });

  it('rejects bad shapes and use before fitting', async () => {
    const m = new MlpEnsemble(spec);
    await expect(m.predict(test.x, test.n)).rejects.toThrow(/not been fitted/);
    await expect(m.fit(train.x, D + 1, train.y)).rejects.toThrow(/expected 300 x 9/);
    await expect(m.fit(new Float32Array(D), D, new Float32Array([Number.NaN]))).rejects.toThrow(/NaN/);
    await expect(model.predict(test.x, test.n + 1)).rejects.toThrow(/200 rows of 8, expected 201/);
  });
});
