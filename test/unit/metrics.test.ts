import { describe, expect, it } from 'vitest';
import { inverseNormal, spearman, surrogateMetrics } from '../../lib/metrics.js';
import { mulberry32 } from '../../lib/random.js';

/** Box-Muller normal draws from the project's seeded PRNG. */
function normals(n: number, seed: number): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
}

describe('surrogateMetrics', () => {
  it('is perfect for perfect predictions', () => {
    const y = [1, 2, 3, 4];
    const m = surrogateMetrics(y, y, [0.1, 0.1, 0.1, 0.1]);
    expect(m).toMatchObject({ n: 4, mae: 0, rmse: 0, r2: 1, spearman: 1, coverage90: 1 });
  });

  it('computes MAE, RMSE and R² by hand', () => {
    const m = surrogateMetrics([1, 2, 3], [1, 3, 2], [1, 1, 1]);
    expect(m.mae).toBeCloseTo(2 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(m.r2).toBeCloseTo(1 - 2 / 2, 12);
    expect(m.spearman).toBeCloseTo(0.5, 12);
  });

  it('calls a calibrated Gaussian calibrated, and an overconfident one not', () => {
    const e = normals(20_000, 3);
    const truth = e.map((x) => x * 2);
    const mean = e.map(() => 0);
    const calibrated = surrogateMetrics(
      truth,
      mean,
      e.map(() => 2),
    );
    expect(calibrated.coverage90).toBeGreaterThan(0.89);
    expect(calibrated.coverage90).toBeLessThan(0.91);
    expect(calibrated.miscalibrationArea).toBeLessThan(0.01);
    const overconfident = surrogateMetrics(
      truth,
      mean,
      e.map(() => 0.5),
    );
    expect(overconfident.coverage90).toBeLessThan(0.5);
    expect(overconfident.miscalibrationArea).toBeGreaterThan(0.2);
    expect(overconfident.nll).toBeGreaterThan(calibrated.nll);
  });

  it('refuses empty or mismatched inputs', () => {
    expect(() => surrogateMetrics([], [], [])).toThrow();
    expect(() => surrogateMetrics([1], [1, 2], [1])).toThrow();
  });
});

describe('spearman and inverseNormal', () => {
  it('uses average ranks for ties and is invariant to monotone maps', () => {
    expect(spearman([1, 2, 2, 3], [10, 20, 20, 30])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('matches known normal quantiles', () => {
    expect(inverseNormal(0.95)).toBeCloseTo(1.6448536, 6);
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.01)).toBeCloseTo(-2.3263479, 6);
    expect(inverseNormal(0.999)).toBeCloseTo(3.0902323, 6);
  });
});
