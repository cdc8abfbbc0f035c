/**
 * Error measures for basis-set extrapolation, as the CBS literature reports them. Both common forms of the
 * symmetric mean absolute percentage error are given, because papers differ: the form with a factor 2 ranges
 * over [0, 200]%, the form without over [0, 100]%.
 */

import { MEV_PER_HARTREE } from '../domain/units.js';

export interface ErrorSummary {
  n: number;
  /** mean of 2|yhat - y| / (|yhat| + |y|), in %. */
  smape: number;
  /** mean of |yhat - y| / (|yhat| + |y|), in %. */
  smapeHalf: number;
  /** Mean absolute error, meV/atom (inputs in hartree/atom). */
  maeMeV: number;
  /** Fraction of targets inside [lo, hi], when intervals are given. */
  coverage?: number;
  /** Median width of the intervals, meV/atom. */
  medianWidthMeV?: number;
}

/** sMAPE terms: a pair that is exactly zero on both sides counts as a perfect prediction. */
function ratio(yhat: number, y: number): number {
  const den = Math.abs(yhat) + Math.abs(y);
  return den === 0 ? 0 : Math.abs(yhat - y) / den;
}

export function summarise(
  y: readonly number[],
  yhat: readonly number[],
  interval?: { lo: readonly number[]; hi: readonly number[] },
): ErrorSummary {
  if (y.length !== yhat.length) throw new Error(`${y.length} targets but ${yhat.length} predictions`);
  const n = y.length;
  if (n === 0) return { n: 0, smape: Number.NaN, smapeHalf: Number.NaN, maeMeV: Number.NaN };
  let r = 0;
  let ae = 0;
  for (let i = 0; i < n; i++) {
    r += ratio(yhat[i] as number, y[i] as number);
    ae += Math.abs((yhat[i] as number) - (y[i] as number));
  }
  const out: ErrorSummary = {
    n,
    smape: (200 * r) / n,
    smapeHalf: (100 * r) / n,
    maeMeV: (ae / n) * MEV_PER_HARTREE,
  };
  if (interval) {
    let inside = 0;
    const widths: number[] = [];
    for (let i = 0; i < n; i++) {
      const lo = interval.lo[i] as number;
      const hi = interval.hi[i] as number;
      if ((y[i] as number) >= lo && (y[i] as number) <= hi) inside++;
      widths.push(hi - lo);
    }
    widths.sort((a, b) => a - b);
    out.coverage = inside / n;
    out.medianWidthMeV = (widths[Math.floor(n / 2)] as number) * MEV_PER_HARTREE;
  }
  return out;
}
