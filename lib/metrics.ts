/**
 * How good a surrogate's predictions and their uncertainty are: accuracy (MAE, RMSE, R², Spearman) and
 * calibration (Gaussian NLL, coverage of central intervals, miscalibration area). Pure.
 */

export interface SurrogateMetrics {
  n: number;
  mae: number;
  rmse: number;
  r2: number;
  spearman: number;
  /** Mean Gaussian negative log-likelihood of the truth under N(mean, std²). */
  nll: number;
  /** Fraction of points inside the central 90% interval mean ± 1.645 std (0.9 when calibrated). */
  coverage90: number;
  /**
   * Area between the observed and expected coverage of central intervals over all levels (0 when
   * calibrated, up to 0.5); the usual "miscalibration area" of uncertainty-quantification studies.
   */
  miscalibrationArea: number;
}

const Z90 = 1.6448536269514722;

export function surrogateMetrics(
  truth: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
): SurrogateMetrics {
  const n = truth.length;
  if (n === 0 || mean.length !== n || std.length !== n)
    throw new Error('metrics need equally long, non-empty arrays');
  let abs = 0;
  let sq = 0;
  let nll = 0;
  let inside = 0;
  let avg = 0;
  for (let i = 0; i < n; i++) avg += truth[i] as number;
  avg /= n;
  let total = 0;
  const z: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = truth[i] as number;
    const m = mean[i] as number;
    const s = Math.max(std[i] as number, 1e-12);
    const e = y - m;
    abs += Math.abs(e);
    sq += e * e;
    total += (y - avg) ** 2;
    nll += 0.5 * Math.log(2 * Math.PI * s * s) + (e * e) / (2 * s * s);
    if (Math.abs(e) <= Z90 * s) inside++;
    z.push(Math.abs(e) / s);
  }
  return {
    n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    r2: total > 0 ? 1 - sq / total : Number.NaN,
    spearman: spearman(truth, mean),
    nll: nll / n,
    coverage90: inside / n,
    miscalibrationArea: miscalibrationArea(z),
  };
}

/** The arithmetic mean (0 of nothing). */
export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return a.length ? s / a.length : 0;
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  return pearson(ra, rb);
}

function ranks(v: ArrayLike<number>): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort(
    (i, j) => (v[i] as number) - (v[j] as number),
  );
  const r = new Array<number>(v.length);
  for (let k = 0; k < idx.length; ) {
    let end = k;
    while (end + 1 < idx.length && v[idx[end + 1] as number] === v[idx[k] as number]) end++;
    const rank = (k + end) / 2 + 1;
    for (let t = k; t <= end; t++) r[idx[t] as number] = rank;
    k = end + 1;
  }
  return r;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : Number.NaN;
}

/** Area between observed and expected coverage of central Gaussian intervals at levels 0.01..0.99. */
function miscalibrationArea(absZ: number[]): number {
  const levels = 99;
  let area = 0;
  for (let k = 1; k <= levels; k++) {
    const p = k / (levels + 1);
    const half = inverseNormal(0.5 + p / 2);
    const observed = absZ.filter((z) => z <= half).length / absZ.length;
    area += Math.abs(observed - p) / (levels + 1);
  }
  return area;
}

/**
 * The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9): hand-written
 * because it is a dozen lines and no installed package offers it.
 */
export function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, ki) => acc * x + ki, 0);
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
