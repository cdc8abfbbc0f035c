/** The failure classifier's thread: cross-validated figures for both networks and P(success) for the pool. */
import { describe, expect, it } from 'vitest';
import { fitFailureClassifier } from '../../activities/ml/lbe/failures.js';
import { mulberry32 } from '../../lib/random.js';

describe('fitFailureClassifier', () => {
  it('learns an outcome the features decide, and says so in its figures', { timeout: 120_000 }, async () => {
    // 4 features; a candidate "fails" when feature 0 is set, whatever the rest (noise)
    const rng = mulberry32(5);
    const f = 4;
    const n = 90;
    const m = 40;
    const row = (set: boolean) =>
      Float32Array.from({ length: f }, (_, j) => (j === 0 ? Number(set) : Number(rng() < 0.5)));
    const x = new Float32Array(n * f);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const fails = i % 3 === 0;
      x.set(row(fails), i * f);
      labels[i] = fails ? 0 : 1;
    }
    const pool = new Float32Array(m * f);
    for (let i = 0; i < m; i++) pool.set(row(i < m / 2), i * f);
    const fractions: number[] = [];
    const r = await fitFailureClassifier(
      {
        x,
        labels,
        pool,
        nFeatures: f,
        lambda: 0.01,
        epochs: 100,
        hiddenLayers: [16],
        latentDim: 2,
        folds: 3,
        seed: 1,
      },
      (p) => fractions.push(p),
    );
    expect(r.penalised.cv.n).toBe(n);
    expect(r.penalised.cv.accuracy).toBeGreaterThan(0.9);
    expect(r.unpenalised.cv.accuracy).toBeGreaterThan(0.9);
    expect(r.success).toHaveLength(m);
    // the first half of the pool has the failing feature set
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(r.success.subarray(0, m / 2))).toBeLessThan(0.2);
    expect(mean(r.success.subarray(m / 2))).toBeGreaterThan(0.8);
    expect(r.description.lambda).toBe(0.01);
    expect(fractions.at(-1)).toBe(1); // 2 x (3 folds + the final fit)
  });
});
