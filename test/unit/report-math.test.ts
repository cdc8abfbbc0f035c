/** The report's pure figures: calibration, the best-so-far trace, random screening's expected best, the tier funnel. */
import { describe, expect, it } from 'vitest';
import { bestTrace, expectedBestOfRandom, randomReference } from '../../lib/report/best-trace.js';
import { calibrationCurve } from '../../lib/report/calibration.js';
import { tierFunnel } from '../../lib/report/funnel.js';

const max = { direction: 'maximize' } as const;
const min = { direction: 'minimize' } as const;

describe('calibrationCurve', () => {
  it('counts the computed values inside each central interval', () => {
    // |z| = 0, 0.5, 1, 2, 3: the 50% interval reaches 0.674σ, the 90% one 1.645σ, the 99% one 2.576σ
    const points = [0, 0.5, 1, 2, 3].map((z) => ({ computed: 10 + 2 * z, mean: 10, std: 2 }));
    const curve = calibrationCurve(points, [0.5, 0.9, 0.99]);
    expect(curve).toEqual([
      { expected: 0.5, observed: 2 / 5 },
      { expected: 0.9, observed: 3 / 5 },
      { expected: 0.99, observed: 4 / 5 },
    ]);
  });

  it('is empty without points, and a zero σ holds only an exact prediction', () => {
    expect(calibrationCurve([])).toEqual([]);
    expect(
      calibrationCurve(
        [
          { computed: 1, mean: 1, std: 0 },
          { computed: 1.1, mean: 1, std: 0 },
        ],
        [0.9],
      ),
    ).toEqual([{ expected: 0.9, observed: 0.5 }]);
  });
});

describe('expectedBestOfRandom', () => {
  /** Every n-subset, by enumeration: the reference the closed form must match. */
  function enumerate(values: number[], n: number, better: (a: number, b: number) => number): number {
    let sum = 0;
    let count = 0;
    const pick = (start: number, chosen: number[]) => {
      if (chosen.length === n) {
        sum += chosen.reduce((a, b) => better(a, b));
        count++;
        return;
      }
      for (let i = start; i < values.length; i++) pick(i + 1, [...chosen, values[i] as number]);
    };
    pick(0, []);
    return sum / count;
  }

  it('matches enumeration of every draw, for both directions', () => {
    const values = [3, -1, 7, 2, 2, 5, 0];
    for (let n = 1; n <= values.length; n++) {
      expect(expectedBestOfRandom(max, values, n)).toBeCloseTo(enumerate(values, n, Math.max), 12);
      expect(expectedBestOfRandom(min, values, n)).toBeCloseTo(enumerate(values, n, Math.min), 12);
    }
  });

  it('is the mean for one draw and the best for the whole pool', () => {
    expect(expectedBestOfRandom(max, [1, 2, 3, 6], 1)).toBeCloseTo(3, 12);
    expect(expectedBestOfRandom(max, [1, 2, 3, 6], 9)).toBe(6);
    expect(expectedBestOfRandom(max, [], 3)).toBeUndefined();
  });

  it('random screening costs every tier per candidate', () => {
    const ref = randomReference(max, [1, 2, 3, 4], { tiers: 2, joulesPerCandidate: 3.6e6 });
    expect(ref.map((p) => p.calls)).toEqual([2, 4, 6, 8]);
    expect(ref.map((p) => p.kWh)).toEqual([1, 2, 3, 4]);
    expect(ref[3]?.best).toBe(4);
    expect(ref[0]?.best).toBeCloseTo(2.5, 12);
  });
});

describe('bestTrace', () => {
  it('follows the best top-tier value with calls and the energy recorded by then', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    const evaluations = [
      { tier: 'xtb', status: 'ok' as const, value: 9, cached: false, at: at(1) },
      { tier: 'dft', status: 'ok' as const, value: 2, cached: false, at: at(2) },
      { tier: 'dft', status: 'failed' as const, cached: false, at: at(3) },
      { tier: 'dft', status: 'ok' as const, value: 5, cached: true, at: at(4) },
      { tier: 'dft', status: 'ok' as const, value: 4, cached: false, at: at(5) },
    ];
    const costs = [
      { at: at(0), energyJoules: 3.6e6 },
      { at: at(2), energyJoules: 3.6e6 },
      { at: at(4.5), energyJoules: 7.2e6 },
    ];
    expect(bestTrace(evaluations, costs, max, 'dft')).toEqual([
      { calls: 2, kWh: 2, best: 2 },
      { calls: 3, kWh: 2, best: 2 },
      { calls: 4, kWh: 2, best: 5 },
      { calls: 5, kWh: 4, best: 5 },
    ]);
    expect(bestTrace(evaluations, costs, min, 'dft').map((p) => p.best)).toEqual([2, 2, 2, 2]);
  });
});

describe('tierFunnel', () => {
  it('counts outcomes per tier and the candidates that reached the next one', () => {
    const e = (idx: number, tier: string, status: 'ok' | 'failed', cached = false) => ({
      idx,
      tier,
      status,
      cached,
    });
    const funnel = tierFunnel(
      ['xtb', 'dft'],
      [
        e(0, 'xtb', 'ok'),
        e(1, 'xtb', 'ok', true),
        e(2, 'xtb', 'failed'),
        e(3, 'xtb', 'ok'),
        e(0, 'dft', 'ok'),
        e(3, 'dft', 'failed'),
      ],
    );
    expect(funnel).toEqual([
      { tier: 'xtb', evaluated: 4, computed: 2, cached: 1, failed: 1, promoted: 2 },
      { tier: 'dft', evaluated: 2, computed: 1, cached: 0, failed: 1 },
    ]);
  });
});
