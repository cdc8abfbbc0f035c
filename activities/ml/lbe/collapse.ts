/**
 * Neural-collapse metrics on latent vectors (pure functions on plain arrays). `z` is n × d row-major,
 * `labels` holds class indices 0..K−1 (classes with no sample are skipped). Definitions:
 *
 * - NC1 = tr(Σ_W Σ_B⁺)/K, with Σ_W the within-class covariance (mean over samples of (z−μ_y)(z−μ_y)ᵀ),
 *   Σ_B the between-class covariance (mean over classes of (μ_k−μ_G)(μ_k−μ_G)ᵀ, μ_G the mean of the
 *   class means) and ⁺ the Moore–Penrose pseudo-inverse (eigenvalues below 1e-10·max dropped).
 *   0 means every sample sits on its class mean.
 * - equinorm: coefficient of variation (population std / mean) of the norms ‖μ_k − μ_G‖. 0 = equal norms.
 * - equiangularity: the cosines between all pairs of centred class means μ_k − μ_G; their std (0 =
 *   equiangular), their mean, and the simplex value −1/(K−1) the mean would take for a simplex ETF
 *   (reachable only when d ≥ K−1).
 * - binarity, per latent dimension: the fraction of its variance explained by the best split of its
 *   values into two groups at a threshold (1 − SS_within/SS_total of the optimal 1-D 2-means, found
 *   exactly by sorting). 1 = the values take only two levels; a uniform spread gives 0.75, a Gaussian
 *   ≈ 0.64. Also the two group means (levels) and Sarle's bimodality coefficient
 *   (skew² + 1)/(excess kurtosis + 3(n−1)²/((n−2)(n−3))), > 5/9 ≈ 0.555 hinting at bimodality.
 */

export interface DimensionBinarity {
  /** Fraction of variance explained by the best two-level split, in [0, 1]. */
  splitR2: number;
  /** Means of the lower and upper groups of that split. */
  low: number;
  high: number;
  /** Sarle's bimodality coefficient (NaN with fewer than 4 values). */
  bimodality: number;
}

export interface CollapseMetrics {
  classes: number;
  nc1: number;
  equinormCV: number;
  cosineMean: number;
  cosineStd: number;
  /** −1/(K−1): the pairwise cosine of a simplex equiangular tight frame. */
  simplexCosine: number;
  binarity: DimensionBinarity[];
  /** Mean of the per-dimension splitR2. */
  meanBinarity: number;
}

/** Per-class means (K × d, classes with no sample left out) and the list of classes present. */
export function classMeans(
  z: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
): { means: number[][]; classes: number[] } {
  const n = labels.length;
  if (z.length !== n * d) throw new Error(`z has ${z.length} values, expected ${n} x ${d}`);
  const sums = new Map<number, { sum: number[]; count: number }>();
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    let entry = sums.get(y);
    if (!entry) {
      entry = { sum: new Array<number>(d).fill(0), count: 0 };
      sums.set(y, entry);
    }
    for (let j = 0; j < d; j++) entry.sum[j] = (entry.sum[j] as number) + (z[i * d + j] as number);
    entry.count++;
  }
  const classes = [...sums.keys()].sort((a, b) => a - b);
  const means = classes.map((c) => {
    const { sum, count } = sums.get(c) as { sum: number[]; count: number };
    return sum.map((s) => s / count);
  });
  return { means, classes };
}

export function collapseMetrics(z: ArrayLike<number>, d: number, labels: ArrayLike<number>): CollapseMetrics {
  const n = labels.length;
  const { means, classes } = classMeans(z, d, labels);
  const K = classes.length;
  if (K < 2) throw new Error('collapse metrics need at least two classes');
  const index = new Map(classes.map((c, k) => [c, k]));
  const global = new Array<number>(d).fill(0);
  for (const mu of means)
    for (let j = 0; j < d; j++) global[j] = (global[j] as number) + (mu[j] as number) / K;
  const centred = means.map((mu) => mu.map((v, j) => v - (global[j] as number)));

  const sigmaW = zeros(d);
  for (let i = 0; i < n; i++) {
    const mu = means[index.get(labels[i] as number) as number] as number[];
    const r = Array.from({ length: d }, (_, j) => (z[i * d + j] as number) - (mu[j] as number));
    addOuter(sigmaW, r, 1 / n);
  }
  const sigmaB = zeros(d);
  for (const c of centred) addOuter(sigmaB, c, 1 / K);
  const pinvB = pseudoInverse(sigmaB);
  let trace = 0;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) trace += (sigmaW[a]?.[b] as number) * (pinvB[b]?.[a] as number);
  const nc1 = trace / K;

  const norms = centred.map(norm);
  const normMean = mean(norms);
  const equinormCV = normMean > 0 ? std(norms) / normMean : Number.NaN;

  const cosines: number[] = [];
  for (let a = 0; a < K; a++)
    for (let b = a + 1; b < K; b++) {
      const na = norms[a] as number;
      const nb = norms[b] as number;
      cosines.push(
        na > 0 && nb > 0 ? dot(centred[a] as number[], centred[b] as number[]) / (na * nb) : Number.NaN,
      );
    }

  const binarity = Array.from({ length: d }, (_, j) =>
    dimensionBinarity(Array.from({ length: n }, (_, i) => z[i * d + j] as number)),
  );
  return {
    classes: K,
    nc1,
    equinormCV,
    cosineMean: mean(cosines),
    cosineStd: std(cosines),
    simplexCosine: -1 / (K - 1),
    binarity,
    meanBinarity: mean(binarity.map((b) => b.splitR2)),
  };
}

/** Binarity of one latent dimension's values (see the file comment). */
export function dimensionBinarity(values: readonly number[]): DimensionBinarity {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mu = mean(sorted);
  let ssTotal = 0;
  for (const v of sorted) ssTotal += (v - mu) ** 2;
  // best split of the sorted values into a lower and an upper run: maximise the between-group SS
  let best = { gain: -1, low: mu, high: mu };
  let prefix = 0;
  const total = mu * n;
  for (let k = 1; k < n; k++) {
    prefix += sorted[k - 1] as number;
    if (sorted[k] === sorted[k - 1]) continue;
    const low = prefix / k;
    const high = (total - prefix) / (n - k);
    const gain = k * (low - mu) ** 2 + (n - k) * (high - mu) ** 2;
    if (gain > best.gain) best = { gain, low, high };
  }
  const splitR2 = ssTotal > 0 && best.gain >= 0 ? Math.min(1, best.gain / ssTotal) : Number.NaN;
  let m3 = 0;
  let m4 = 0;
  for (const v of sorted) {
    m3 += (v - mu) ** 3;
    m4 += (v - mu) ** 4;
  }
  const m2 = ssTotal / n;
  let bimodality = Number.NaN;
  if (n >= 4 && m2 > 0) {
    // sample (bias-corrected) skewness and excess kurtosis
    const g1 = m3 / n / m2 ** 1.5;
    const g2 = m4 / n / m2 ** 2 - 3;
    const skew = (Math.sqrt(n * (n - 1)) / (n - 2)) * g1;
    const kurt = ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
    bimodality = (skew ** 2 + 1) / (kurt + (3 * (n - 1) ** 2) / ((n - 2) * (n - 3)));
  }
  return { splitR2, low: best.low, high: best.high, bimodality };
}

/** Moore–Penrose pseudo-inverse of a symmetric matrix via Jacobi eigen-decomposition. */
export function pseudoInverse(a: number[][], relTol = 1e-10): number[][] {
  const { values, vectors } = symmetricEigen(a);
  const d = values.length;
  const top = Math.max(0, ...values.map(Math.abs));
  const out = zeros(d);
  for (let k = 0; k < d; k++) {
    const lambda = values[k] as number;
    if (Math.abs(lambda) <= relTol * top || lambda === 0) continue;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const row = out[i] as number[];
        row[j] = (row[j] as number) + ((vectors[i]?.[k] as number) * (vectors[j]?.[k] as number)) / lambda;
      }
  }
  return out;
}

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix, by cyclic Jacobi sweeps. */
export function symmetricEigen(input: number[][]): { values: number[]; vectors: number[][] } {
  const d = input.length;
  const a = input.map((row) => [...row]);
  const v = zeros(d);
  for (let i = 0; i < d; i++) (v[i] as number[])[i] = 1;
  const at = (i: number, j: number) => (a[i] as number[])[j] as number;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += at(i, j) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          (a[k] as number[])[p] = c * akp - s * akq;
          (a[k] as number[])[q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          (a[p] as number[])[k] = c * apk - s * aqk;
          (a[q] as number[])[k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const row = v[k] as number[];
          const vkp = row[p] as number;
          const vkq = row[q] as number;
          row[p] = c * vkp - s * vkq;
          row[q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: a.map((row, i) => row[i] as number), vectors: v };
}

function zeros(d: number): number[][] {
  return Array.from({ length: d }, () => new Array<number>(d).fill(0));
}

function addOuter(m: number[][], r: number[], w: number): void {
  for (let a = 0; a < r.length; a++) {
    const row = m[a] as number[];
    for (let b = 0; b < r.length; b++) row[b] = (row[b] as number) + w * (r[a] as number) * (r[b] as number);
  }
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function norm(a: number[]): number {
  return Math.sqrt(dot(a, a));
}

function mean(a: readonly number[]): number {
  return a.length === 0 ? Number.NaN : a.reduce((s, v) => s + v, 0) / a.length;
}

function std(a: readonly number[]): number {
  const mu = mean(a);
  return Math.sqrt(mean(a.map((v) => (v - mu) ** 2)));
}
