import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../activities/ml/backend.js';
import { crossEntropy, LatentBinaryClassifier, latentPenalty } from '../../activities/ml/lbe/classifier.js';
import { collapseMetrics, dimensionBinarity } from '../../activities/ml/lbe/collapse.js';
import { mulberry32 } from '../../lib/random.js';

const rng = mulberry32(7);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

beforeAll(async () => {
  await selectBackend({ log: () => {} });
});

describe('loss terms', () => {
  it('penalty is λ·exp(mean(z²)) over batch and units', () => {
    // z² = 1, 4, 0, 1 → mean 1.5
    const value = tf.tidy(
      () =>
        latentPenalty(
          tf.tensor2d([
            [1, 2],
            [0, -1],
          ]),
          0.1,
        ).dataSync()[0] as number,
    );
    expect(value).toBeCloseTo(0.1 * Math.exp(1.5), 5);
    const zero = tf.tidy(() => latentPenalty(tf.zeros([3, 4]), 0.5).dataSync()[0] as number);
    expect(zero).toBeCloseTo(0.5, 6);
  });

  it('penalty is continued linearly above the cap, finite with a non-zero gradient', () => {
    // mean(z²) = 100 > cap 20: exp(20)·(1 + 80)
    const value = tf.tidy(() => latentPenalty(tf.tensor2d([[10]]), 1, 20).dataSync()[0] as number);
    expect(value / (Math.exp(20) * 81)).toBeCloseTo(1, 4);
    const grad = tf.tidy(() =>
      tf
        .grad((z: tf.Tensor) => latentPenalty(z, 1, 20))(tf.tensor2d([[10]]))
        .dataSync(),
    );
    // d/dz exp(20)·(1 + z² − 20) = exp(20)·2z
    expect((grad[0] as number) / (Math.exp(20) * 20)).toBeCloseTo(1, 4);
  });

  it('cross-entropy matches a hand computation', () => {
    const value = tf.tidy(
      () =>
        crossEntropy(tf.tensor2d([[0, Math.log(3)]]), tf.tensor1d([1], 'int32'), 2).dataSync()[0] as number,
    );
    expect(value).toBeCloseTo(-Math.log(3 / 4), 5);
  });
});

describe('LatentBinaryClassifier', () => {
  const centres = [
    [3, 3],
    [-3, 3],
    [-3, -3],
    [3, -3],
  ];
  function blobs(n: number) {
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      const c = centres[k] as number[];
      x[2 * i] = (c[0] as number) + 0.5 * gauss();
      x[2 * i + 1] = (c[1] as number) + 0.5 * gauss();
      y[i] = k;
    }
    return { x, y, n };
  }
  const train = blobs(200);
  const test = blobs(200);
  let model: LatentBinaryClassifier;

  beforeAll(async () => {
    model = new LatentBinaryClassifier();
    const report = await model.fit(train.x, 2, train.y, {
      classes: 4,
      lambda: 0.01,
      epochs: 30,
      seed: 3,
      hiddenLayers: [16],
      latentDim: 2,
      learningRate: 1e-2,
      batchSize: 32,
    });
    expect(Number.isFinite(report.crossEntropy)).toBe(true);
    expect(report.penalty).toBeGreaterThan(0);
  });

  it('learns a separable toy problem', async () => {
    const p = await model.predict(test.x, test.n);
    expect(p.probs.length).toBe(test.n * 4);
    expect(p.z.length).toBe(test.n * 2);
    const accuracy = p.labels.reduce((c, l, i) => c + (l === test.y[i] ? 1 : 0), 0) / test.n;
    expect(accuracy).toBeGreaterThan(0.95);
    const rowSum =
      (p.probs[0] as number) + (p.probs[1] as number) + (p.probs[2] as number) + (p.probs[3] as number);
    expect(rowSum).toBeCloseTo(1, 5);
  });

  it('save/load round trip predicts identically', async () => {
    const bytes = await model.save();
    const copy = await LatentBinaryClassifier.load(bytes);
    expect(copy.describe()).toEqual(model.describe());
    const a = await model.predict(test.x, test.n);
    const b = await copy.predict(test.x, test.n);
    expect(b.probs).toEqual(a.probs);
    expect(b.z).toEqual(a.z);
    copy.dispose();
  });

  it('describes itself and refuses bad input', async () => {
    const d = model.describe();
    expect(d).toMatchObject({
      kind: 'latent-binary-classifier',
      classes: 4,
      latentDim: 2,
      lambda: 0.01,
      nFeatures: 2,
    });
    await expect(model.predict(new Float32Array(3), 2)).rejects.toThrow(/expected/);
    await expect(
      new LatentBinaryClassifier().fit(train.x, 2, new Int32Array(200).fill(5), {
        classes: 4,
        lambda: 0,
        epochs: 1,
      }),
    ).rejects.toThrow(/labels/);
  });
});

describe('collapse metrics', () => {
  const K = 4;
  const perClass = 25;
  const labels = Array.from({ length: K * perClass }, (_, i) => i % K);

  it('a regular simplex with tiny noise is collapsed, equinorm, equiangular and binary', () => {
    const vertices = [
      [1, 1, 1],
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ];
    const z = labels.flatMap((k) => (vertices[k] as number[]).map((v) => v + 1e-3 * gauss()));
    const m = collapseMetrics(z, 3, labels);
    expect(m.classes).toBe(4);
    expect(m.nc1).toBeLessThan(1e-4);
    expect(m.equinormCV).toBeLessThan(1e-2);
    expect(m.cosineStd).toBeLessThan(1e-2);
    expect(m.cosineMean).toBeCloseTo(-1 / 3, 2);
    expect(m.simplexCosine).toBeCloseTo(-1 / 3, 10);
    expect(m.meanBinarity).toBeGreaterThan(0.999);
    for (const b of m.binarity) {
      expect(b.low).toBeCloseTo(-1, 2);
      expect(b.high).toBeCloseTo(1, 2);
      expect(b.bimodality).toBeGreaterThan(5 / 9);
    }
  });

  it('random latents are not', () => {
    const z = labels.flatMap(() => [gauss(), gauss(), gauss()]);
    const m = collapseMetrics(z, 3, labels);
    expect(m.nc1).toBeGreaterThan(1);
    expect(m.cosineStd).toBeGreaterThan(0.1);
    expect(m.meanBinarity).toBeLessThan(0.8);
  });

  it('NC1 equals tr(Σ_W Σ_B⁺)/K on a hand-computed 1-D case', () => {
    // class 0: {-2, 0} mean -1; class 1: {0, 2} mean 1 → Σ_W = 1, Σ_B = 1 → NC1 = 1/2
    const m = collapseMetrics([-2, 0, 0, 2], 1, [0, 0, 1, 1]);
    expect(m.nc1).toBeCloseTo(0.5, 10);
    expect(m.equinormCV).toBeCloseTo(0, 10);
    expect(m.cosineMean).toBeCloseTo(-1, 10);
  });

  it('binarity of a uniform spread is about 3/4', () => {
    const b = dimensionBinarity(Array.from({ length: 1001 }, (_, i) => i / 1000));
    expect(b.splitR2).toBeCloseTo(0.75, 2);
    expect(b.bimodality).toBeLessThan(5 / 9);
  });
});
