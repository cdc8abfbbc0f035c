/** Recalibration of the predicted spread on held-out folds: the pure rule, then a real over-confident surrogate. */
import { describe, expect, it } from 'vitest';
import { fitAndScreen } from '../../activities/ml/fit.js';
import { surrogateMetrics } from '../../lib/metrics.js';
import { mulberry32 } from '../../lib/random.js';
import { foldOf, spreadScale } from '../../lib/recalibration.js';
import { surrogateSpec } from '../helpers/surrogate-spec.js';

function gaussians(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return new Float32Array(n).map(() => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
}

describe('spreadScale', () => {
  const truth = gaussians(4000, 1);
  const zeros = new Float32Array(4000);

  it('widens a spread that is half what it should be by 2, and narrows one twice too wide by 2', () => {
    expect(spreadScale(truth, zeros, new Float32Array(4000).fill(0.5))).toBeCloseTo(2, 1);
    expect(spreadScale(truth, zeros, new Float32Array(4000).fill(2))).toBeCloseTo(0.5, 1);
    expect(spreadScale(truth, zeros, new Float32Array(4000).fill(1))).toBeCloseTo(1, 1);
  });

  it('follows the 90% quantile of |z|, not the largest residuals', () => {
    const wild = truth.slice();
    for (let i = 0; i < 100; i++) wild[i] = 1000; // 2.5% gross outliers
    expect(spreadScale(wild, zeros, new Float32Array(4000).fill(1))).toBeLessThan(1.2);
  });

  it('never scales a spread to zero', () => {
    expect(spreadScale([1, 2, 3], [1, 2, 3], [1, 1, 1])).toBeGreaterThan(0);
  });
});

describe('foldOf', () => {
  it('deals rows into k folds of near-equal size, the same way for the same seed', () => {
    const folds = foldOf(23, 5, 9);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((g) => g === f).length);
    expect(sizes.sort()).toEqual([4, 4, 5, 5, 5]);
    expect(foldOf(23, 5, 9)).toEqual(folds);
    expect(foldOf(23, 5, 10)).not.toEqual(folds);
    expect(() => foldOf(3, 5, 0)).toThrow(/folds/);
  });
});

describe('recalibrate: true', () => {
  const D = 4;
  /** A smooth signal plus noise the ensemble's spread does not see: its members agree, so it is over-confident. */
  function dataset(n: number, seed: number) {
    const rng = mulberry32(seed);
    const noise = gaussians(n, seed + 100);
    const x = new Float32Array(n * D).map(() => 2 * rng() - 1);
    const y = new Float32Array(n).map(
      (_, i) => Math.sin(3 * (x[i * D] as number)) + (x[i * D + 1] as number) + 0.4 * (noise[i] as number),
    );
    return { x, y, n };
  }

  it('gives an over-confident ensemble a scale > 1 that moves its held-out 90% coverage into [0.8, 0.97]', {
    timeout: 180_000,
  }, async () => {
    const train = dataset(200, 1);
    const test = dataset(500, 2);
    const spec = surrogateSpec({
      ensembleSize: 3,
      hiddenLayers: [32, 32],
      epochs: 60,
      learningRate: 3e-3,
      recalibrate: true,
    });
    const result = await fitAndScreen({ ...train, nFeatures: D, pool: test.x, spec, seed: 3 });
    const r = result.recalibration;
    expect(r).toMatchObject({ folds: 5, points: 200 });
    const scale = r?.scale as number;
    const raw = surrogateMetrics(
      test.y,
      result.mean,
      result.std.map((s) => s / scale),
    );
    const recalibrated = surrogateMetrics(test.y, result.mean, result.std);
    console.info(
      `scale ${scale.toFixed(3)}; held-out 90% coverage ${raw.coverage90.toFixed(3)} -> ${recalibrated.coverage90.toFixed(3)}, NLL ${raw.nll.toFixed(3)} -> ${recalibrated.nll.toFixed(3)} (cross-validated raw coverage ${r?.rawCoverage90.toFixed(3)})`,
    );
    expect(scale).toBeGreaterThan(1);
    expect(raw.coverage90).toBeLessThan(0.8); // over-confident indeed
    expect(r?.rawCoverage90).toBeLessThan(0.8);
    expect(recalibrated.coverage90).toBeGreaterThanOrEqual(0.8);
    expect(recalibrated.coverage90).toBeLessThanOrEqual(0.97);
    expect(recalibrated.nll).toBeLessThan(raw.nll);
  });

  it("scales each draw's distance from the mean by the std's factor", async () => {
    const train = dataset(60, 7);
    const spec = surrogateSpec({ kind: 'qrf', forest: { trees: 12 }, recalibrate: true });
    const req = { ...train, nFeatures: D, pool: train.x, spec, seed: 4, samples: true };
    const plain = await fitAndScreen({ ...req, spec: { ...spec, recalibrate: false } });
    const scaled = await fitAndScreen(req);
    const scale = scaled.recalibration?.scale as number;
    expect(scale).not.toBeCloseTo(1, 2);
    expect(scaled.mean).toEqual(plain.mean); // the final fit is the same forest
    const rawDraws = plain.samples ?? [];
    for (const [k, draw] of (scaled.samples ?? []).entries())
      for (let i = 0; i < draw.length; i += 7) {
        const m = plain.mean[i] as number;
        const raw = (rawDraws[k] as Float32Array)[i] as number;
        expect(draw[i]).toBeCloseTo(m + scale * (raw - m), 4);
      }
    expect(scaled.samples).toHaveLength(10); // the forest's sub-forests (SUB_FORESTS)
  });

  it('leaves the spread alone when off (the default)', async () => {
    const train = dataset(40, 5);
    const spec = surrogateSpec({ kind: 'qrf', forest: { trees: 10 } });
    expect(spec.recalibrate).toBe(false);
    const result = await fitAndScreen({ ...train, nFeatures: D, pool: train.x, spec, seed: 3 });
    expect(result.recalibration).toBeUndefined();
  });
});
