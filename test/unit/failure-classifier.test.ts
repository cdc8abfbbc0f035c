/** The failure classifier's thread: cross-validated figures for both networks and P(success) for the pool. */
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../activities/ml/backend.js';
import { LatentBinaryClassifier } from '../../activities/ml/lbe/classifier.js';
import { fitFailureClassifier } from '../../activities/ml/lbe/failures.js';
import { mulberry32 } from '../../lib/random.js';
import { packedRows, packRow, unpackRows } from '../../lib/surrogate/pool-rows.js';

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

  it('screens a bit-packed pool block by block as the saved model screens it dense', {
    timeout: 120_000,
  }, async () => {
    // 12 fingerprint bits and 2 descriptors; a candidate fails when bit 3 is on
    const rng = mulberry32(9);
    const nBits = 12;
    const f = nBits + 2;
    const denseRow = () =>
      Float32Array.from({ length: f }, (_, j) => (j < nBits ? Number(rng() < 0.4) : rng() * 10 - 5));
    const n = 60;
    const x = new Float32Array(n * f);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = denseRow();
      x.set(row, i * f);
      labels[i] = row[3] ? 0 : 1;
    }
    // more rows than the thread screens at once (8,192), the last block partial
    const m = 20_000;
    const pool = packedRows(m, nBits, 2);
    for (let r = 0; r < m; r++) packRow(pool, r, denseRow());
    const r = await fitFailureClassifier({
      x,
      labels,
      pool,
      nFeatures: f,
      lambda: 0.01,
      epochs: 20,
      hiddenLayers: [8],
      latentDim: 2,
      folds: 2,
      seed: 3,
    });
    expect(r.success).toHaveLength(m);
    await selectBackend({ log: () => {} });
    const model = await LatentBinaryClassifier.load(r.model);
    const { probs } = await model.predict(unpackRows(pool, 0, m), m);
    model.dispose();
    let worst = 0;
    for (let i = 0; i < m; i++)
      worst = Math.max(worst, Math.abs((r.success[i] as number) - (probs[2 * i + 1] as number)));
    expect(worst).toBeLessThan(1e-6);
    // and it learnt something: the rows with bit 3 on are the likely failures
    const on = Array.from({ length: m }, (_, i) => ((pool.bits[i * 2] as number) >> 3) & 1);
    const mean = (bit: number) => {
      const ps = on.flatMap((b, i) => (b === bit ? [r.success[i] as number] : []));
      return ps.reduce((s, v) => s + v, 0) / ps.length;
    };
    expect(mean(1)).toBeLessThan(mean(0));
  });
});
