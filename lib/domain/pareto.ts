/**
 * Pareto dominance and hypervolume for several objectives, in score space: every coordinate has been through
 * `score` (objective.ts), so larger is better in each and nothing here knows about maximise or minimise. Pure.
 *
 * Costs (n points, m objectives): `paretoFront` O(n log n) for m = 2 (sort and sweep), O(n^2 m) otherwise;
 * `hypervolume` O(n log n) for m = 2 (sort and sweep) and, for m >= 3, slicing by the last objective (HSO,
 * "hypervolume by slicing objectives", While et al. 2006) down to the 2-D sweep: O(n^(m-1) log n), about
 * n^2 log n for three objectives. Exact in every case; fine for the fronts a campaign has (tens to hundreds).
 */
import { type Direction, score } from './objective.js';

/** A point in score space: one coordinate per objective, larger is better in each. */
export type Point = readonly number[];

/** An objective as multi-objective search sees it: a direction and, optionally, its own reference value. */
export interface ParetoObjective {
  direction: Direction;
  /** The worst value still worth anything, in the objective's units (a hypervolume's corner); optional. */
  reference?: number;
}

/** The share of each objective's range the default reference point lies beyond the worst value (BoTorch's). */
export const REFERENCE_MARGIN = 0.1;

/** Whether `a` is at least as good as `b` in every objective and strictly better in one. */
export function dominates(a: Point, b: Point): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as number;
    const y = b[k] as number;
    if (!(x >= y)) return false; // NaN never dominates
    if (x > y) strictly = true;
  }
  return strictly;
}

/**
 * Indices of the points no other point dominates, in ascending order. Duplicates do not dominate each other,
 * so a point on the front is kept with all its copies. A point with a NaN coordinate is never on the front.
 */
export function paretoFront(points: readonly Point[]): number[] {
  const valid: number[] = [];
  for (let i = 0; i < points.length; i++) if (!(points[i] as Point).some(Number.isNaN)) valid.push(i);
  if (valid.length === 0) return [];
  const m = (points[valid[0] as number] as Point).length;
  return m === 2 ? front2(points, valid) : frontQuadratic(points, valid);
}

function frontQuadratic(points: readonly Point[], valid: readonly number[]): number[] {
  return valid.filter(
    (i) => !valid.some((j) => j !== i && dominates(points[j] as Point, points[i] as Point)),
  );
}

/**
 * Two objectives: sorted by the first, best first (ties by the second, best first), a point is on the front
 * exactly when its second coordinate beats every earlier one's, or when it repeats the point that set the best.
 */
function front2(points: readonly Point[], valid: readonly number[]): number[] {
  const at = (i: number, k: number) => (points[i] as Point)[k] as number;
  const order = valid.slice().sort((i, j) => at(j, 0) - at(i, 0) || at(j, 1) - at(i, 1));
  const out: number[] = [];
  let bestY = Number.NEGATIVE_INFINITY;
  let bestX = Number.NaN;
  for (const i of order) {
    const [x, y] = points[i] as [number, number];
    if (y > bestY || out.length === 0) {
      out.push(i);
      bestY = y;
      bestX = x;
    } else if (y === bestY && x === bestX) {
      out.push(i); // a copy of the point that set the best: nothing dominates it either
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The volume of score space dominated by `points` and bounded below by `reference`: the union of the boxes
 * [reference, p]. A point not strictly better than the reference in every objective adds nothing. Dominated
 * points and copies are allowed (their boxes lie inside others).
 */
export function hypervolume(points: readonly Point[], reference: Point): number {
  const inside = points.filter((p) => p.every((v, k) => v > (reference[k] as number)));
  if (inside.length === 0) return 0;
  return slice(inside, reference, reference.length);
}

/** Hypervolume in the first `m` coordinates of points all strictly above the reference there. */
function slice(points: readonly Point[], reference: Point, m: number): number {
  if (m === 1) return Math.max(...points.map((p) => p[0] as number)) - (reference[0] as number);
  if (m === 2) return sweep2(points, reference);
  // slices along the last objective: between consecutive values, the points at or above the slice's top
  // cover the (m-1)-dimensional hypervolume of their projections
  const k = m - 1;
  const sorted = points.slice().sort((a, b) => (b[k] as number) - (a[k] as number));
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = sorted[i]?.[k] as number;
    const bottom = i + 1 < sorted.length ? (sorted[i + 1]?.[k] as number) : (reference[k] as number);
    if (top > bottom) total += (top - bottom) * slice(sorted.slice(0, i + 1), reference, k);
  }
  return total;
}

/** Two objectives: sorted by the first, best first, each point adds the strip its second coordinate gains. */
function sweep2(points: readonly Point[], reference: Point): number {
  const sorted = points.slice().sort((a, b) => (b[0] as number) - (a[0] as number));
  const [rx, ry] = reference as [number, number];
  let covered = ry;
  let total = 0;
  for (const p of sorted) {
    const y = p[1] as number;
    if (y > covered) {
      total += ((p[0] as number) - rx) * (y - covered);
      covered = y;
    }
  }
  return total;
}

/**
 * How much `p` adds to the hypervolume of `front`: HV(front + p) - HV(front), never negative. `frontVolume`
 * saves recomputing HV(front) when many points are tried against the same front.
 */
export function hypervolumeImprovement(
  front: readonly Point[],
  p: Point,
  reference: Point,
  frontVolume = hypervolume(front, reference),
): number {
  if (!p.every((v, k) => v > (reference[k] as number))) return 0;
  return Math.max(hypervolume([...front, p], reference) - frontVolume, 0);
}

/** Values (one row per point, one column per objective, in the objectives' units) as score-space points. */
export function toScores(
  objectives: readonly Pick<ParetoObjective, 'direction'>[],
  values: readonly Point[],
) {
  return values.map((row) => objectives.map((o, k) => score(o, row[k] as number)));
}

/**
 * The reference point in score space: each objective's own `reference` when it gives one, else the worst
 * observed score less REFERENCE_MARGIN of the observed range, as BoTorch's `infer_reference_point` does with
 * its default scale 0.1 (BoTorch takes the worst over the Pareto front; we take it over every observed point,
 * which lies no closer, so a dominated point's objective is never cut off). When the range is 0 (one point,
 * or all equal) the margin is 10% of |worst|, or 1 if the worst is 0, so the corner still lies strictly below.
 * Non-finite scores (failed values) are ignored; an objective with no finite score and no reference gets NaN.
 */
export function referencePoint(objectives: readonly ParetoObjective[], scores: readonly Point[]): number[] {
  return objectives.map((o, k) => {
    if (o.reference !== undefined) return score(o, o.reference);
    const column = scores.map((p) => p[k] as number).filter(Number.isFinite);
    if (column.length === 0) return Number.NaN;
    const worst = Math.min(...column);
    const range = Math.max(...column) - worst;
    const margin = range > 0 ? range : Math.abs(worst) > 0 ? Math.abs(worst) : 1;
    return worst - REFERENCE_MARGIN * margin;
  });
}
