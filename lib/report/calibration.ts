/**
 * A surrogate's calibration: for each probability p, the fraction of computed values that fall inside the
 * central p-interval of its Gaussian prediction (mean ± z·std, z the (1+p)/2 quantile). A calibrated model's
 * curve is the diagonal; below it, the intervals are too narrow (overconfident). Pure.
 */
import { inverseNormal } from '../metrics.js';

/** A prediction and the value computed afterwards. */
export interface PredictedPoint {
  computed: number;
  mean: number;
  std: number;
}

export interface CalibrationPoint {
  /** The interval's nominal probability. */
  expected: number;
  /** The fraction of computed values inside it. */
  observed: number;
}

/** The nominal probabilities the report draws: 0.1 to 0.9 in tenths, then 0.95 and 0.99. */
export const CALIBRATION_LEVELS: readonly number[] = [
  0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
];

export function calibrationCurve(
  points: readonly PredictedPoint[],
  levels: readonly number[] = CALIBRATION_LEVELS,
): CalibrationPoint[] {
  if (points.length === 0) return [];
  return levels.map((p) => {
    const half = inverseNormal(0.5 + p / 2);
    // a zero std is an interval of one point: inside only when the prediction was exact
    const inside = points.filter((x) => Math.abs(x.computed - x.mean) <= half * x.std).length;
    return { expected: p, observed: inside / points.length };
  });
}
