/**
 * Quantile regression forest (Meinshausen 2006, "Quantile Regression Forests", JMLR 7): CART
 * regression trees on bootstrap samples with a random feature subset per split, whose leaves keep
 * every in-bag training point. A query's prediction is a weight per training point,
 *   w_i(x) = (1/T) sum_t count_t(i) 1[i in leaf_t(x)] / sum_{j in leaf_t(x)} count_t(j),
 * where count_t(i) is i's in-bag count in tree t (1 without bootstrap). Weighting by the in-bag count
 * makes each tree's share the same distribution its leaf mean was fitted on, so the forest's weighted
 * mean is exactly the usual random-forest mean. Quantiles come from the weighted empirical CDF,
 * Q(q) = min { y_i : F(y_i) >= q }; mean and std are the weighted mean and std.
 *
 * Fitting and large predictions run in worker threads (parallel.ts) when `threads` > 1. The registry's entry for
 * this kind is ../surrogates/qrf.ts.
 */

import { availableParallelism } from 'node:os';
import type { SurrogateKind } from '../../../lib/surrogate/kinds.js';
import type {
  FitOptions,
  FitReport,
  Prediction,
  Surrogate,
  SurrogateDescription,
} from '../../../lib/surrogate.js';
import { packModel } from '../model-file.js';
import {
  buildTrees,
  type ForestParams,
  leafMeans,
  mergePacks,
  predictRows,
  prepare,
  rowWeights,
  type TreePack,
  treePredictions,
} from './core.js';
import { buildInThreads, predictInThreads } from './parallel.js';

export const KIND = 'qrf' satisfies SurrogateKind;

/** Rows per block of subForestDraws (the event loop runs between blocks). */
const DRAW_BLOCK = 20_000;
const MAGIC = 'CASCQRF1';
/** The predicted std never falls below this fraction of the training target's std. */
const STD_FLOOR = 1e-6;
/** Below this much work (rows x trees) threads cost more than they save. */
const THREAD_MIN_WORK = 200_000;

export interface QrfOptions {
  /** Trees (default 100). */
  nEstimators?: number;
  /** Features tried per split: an integer count, or a non-integer fraction of the features in (0, 1) (default 1/3). */
  maxFeatures?: number;
  /** Fewest distinct in-bag training rows per leaf (default 5). */
  minSamplesLeaf?: number;
  /** Deepest a tree grows (default unlimited). */
  maxDepth?: number;
  /** Bootstrap resample per tree (default true); false fits every tree on all rows. */
  bootstrap?: boolean;
  /** Worker threads for fit and predict (default os.availableParallelism(); 1 = this thread only). */
  threads?: number;
  /**
   * Threads are used only when rows x trees reaches this (default 200k): below it, starting threads
   * (~50-300 ms each from TypeScript sources) costs more than they save.
   */
  threadMinWork?: number;
}

export interface QrfDescription extends SurrogateDescription {
  nEstimators: number;
  maxFeatures: number;
  minSamplesLeaf: number;
  maxDepth: number | null;
  bootstrap: boolean;
}

export interface QuantilePrediction {
  /** The quantile levels, as asked. */
  qs: number[];
  /** n x qs.length, row-major, in the target's units. */
  values: Float64Array;
}

interface Fitted {
  pack: TreePack;
  /** Training targets in ascending order. */
  yByRank: Float64Array;
  /** Row i's position in yByRank. */
  yRankOf: Int32Array;
  nFeatures: number;
  stdFloor: number;
  description: QrfDescription;
  /** Each leaf's in-bag mean, computed at the first subForestDraws (a block-by-block caller reuses it). */
  leafMean?: Float64Array;
}

interface Header {
  description: QrfDescription;
  stdFloor: number;
  nTrees: number;
  lengths: { nodes: number; leaves: number; members: number; rows: number };
  sse: number;
  weight: number;
}

export class QuantileForest implements Surrogate {
  readonly kind = KIND;
  private model: Fitted | undefined;
  private readonly threads: number;
  private readonly threadMinWork: number;

  constructor(private readonly options: QrfOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.threadMinWork = options.threadMinWork ?? THREAD_MIN_WORK;
  }

  async fit(x: Float32Array, nFeatures: number, y: Float32Array, opts: FitOptions = {}): Promise<FitReport> {
    const n = y.length;
    if (n === 0) throw new Error('cannot fit on an empty training set');
    if (!Number.isInteger(nFeatures) || nFeatures <= 0)
      throw new Error('nFeatures must be a positive integer');
    if (x.length !== n * nFeatures) throw new Error(`x has ${x.length} values, expected ${n} x ${nFeatures}`);
    if (!y.every(Number.isFinite)) throw new Error('the training targets contain NaN or infinite values');
    if (!x.every(Number.isFinite)) throw new Error('the training features contain NaN or infinite values');
    const t0 = performance.now();
    this.dispose();
    const params = this.params(nFeatures, opts.seed ?? 0);
    const threads = Math.min(this.threads, params.nEstimators);
    const parallel = threads > 1 && n * params.nEstimators >= this.threadMinWork;
    const data = prepare(x, n, nFeatures, y, parallel);
    let pack: TreePack;
    if (parallel) {
      pack = await buildInThreads(data, params, threads, opts.onProgress);
    } else {
      const packs: TreePack[] = [];
      for (let t = 0; t < params.nEstimators; t++) {
        packs.push(buildTrees(data, params, t, 1));
        opts.onProgress?.((t + 1) / params.nEstimators);
      }
      pack = mergePacks(packs, this.threads > 1);
    }
    const yByRank = new Float64Array(n);
    for (let i = 0; i < n; i++) yByRank[data.yRankOf[i] as number] = data.y[i] as number;
    const yStd = Math.sqrt(variance(yByRank));
    const description: QrfDescription = {
      kind: KIND,
      backend: parallel ? `js-threads-${threads}` : 'js',
      members: params.nEstimators,
      nFeatures,
      trainedOn: n,
      seed: params.seed,
      nEstimators: params.nEstimators,
      maxFeatures: params.maxFeatures,
      minSamplesLeaf: params.minSamplesLeaf,
      maxDepth: Number.isFinite(params.maxDepth) ? params.maxDepth : null,
      bootstrap: params.bootstrap,
    };
    this.model = {
      pack,
      yByRank,
      yRankOf: Int32Array.from(data.yRankOf),
      nFeatures,
      stdFloor: STD_FLOOR * (yStd > 0 ? yStd : 1),
      description,
    };
    // in-bag squared error of the leaf means, on the standardised target
    const trainLoss = pack.sse / pack.weight / (yStd > 0 ? yStd * yStd : 1);
    return { seconds: (performance.now() - t0) / 1000, trainLoss, samples: n };
  }

  async predict(x: Float32Array, n: number): Promise<Prediction> {
    const { mean, std } = await this.run(x, n, []);
    return { mean, std };
  }

  /** Quantiles of the predictive distribution per row (default the 5%, 50% and 95% levels). */
  async quantiles(x: Float32Array, n: number, qs: number[] = [0.05, 0.5, 0.95]): Promise<QuantilePrediction> {
    for (const q of qs) if (!(q >= 0 && q <= 1)) throw new Error(`quantile levels must be in [0, 1]: ${q}`);
    const { quantiles } = await this.run(x, n, qs);
    return { qs: [...qs], values: quantiles };
  }

  /** Mean, std and quantiles in one pass. */
  async predictAll(x: Float32Array, n: number, qs: number[] = [0.05, 0.5, 0.95]) {
    return this.run(x, n, qs);
  }

  /**
   * Joint draws of the n rows' values for Thompson sampling: the forest's trees dealt into `groups` disjoint
   * sub-forests (tree t to group t mod groups), each draw the mean prediction of one sub-forest, as an ensemble's
   * member is one model's. A single tree's prediction (the mean of one leaf) is far noisier than the forest's
   * uncertainty about its mean; on bench:al's 2,000-molecule pool, Thompson on single trees found 75% of the top 1%
   * (discovery area 0.16), on 10 sub-forests of 10 trees 95% (0.55), on the Gaussian N(mean, std) 90% (0.39).
   * Computed in blocks between which the event loop runs.
   */
  async subForestDraws(x: Float32Array, n: number, groups: number): Promise<Float32Array[]> {
    const m = this.fitted();
    const d = m.nFeatures;
    if (x.length !== n * d) throw new Error(`x has ${x.length} values, expected ${n} x ${d}`);
    const g = Math.min(groups, m.pack.nTrees);
    if (!(g >= 1)) throw new Error(`groups must be at least 1, got ${groups}`);
    const members = Array.from({ length: g }, (_, k) =>
      Array.from({ length: Math.ceil((m.pack.nTrees - k) / g) }, (_, j) => k + j * g),
    );
    const out = members.map(() => new Float32Array(n));
    m.leafMean ??= leafMeans(m.pack, m.yByRank);
    const { leafMean } = m;
    for (let from = 0; from < n; from += DRAW_BLOCK) {
      const to = Math.min(n, from + DRAW_BLOCK);
      members.forEach((trees, k) => {
        const draw = out[k] as Float32Array;
        for (const p of treePredictions(m.pack, leafMean, x, d, from, to, trees)) {
          for (let r = from; r < to; r++)
            draw[r] = (draw[r] as number) + (p[r - from] as number) / trees.length;
        }
      });
      if (to < n) await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /** The forest's weight on each training row (original row numbers) for one query row. */
  weights(row: ArrayLike<number>): { index: Int32Array; weight: Float64Array } {
    const m = this.fitted();
    if (row.length !== m.nFeatures) throw new Error(`a row has ${m.nFeatures} features, got ${row.length}`);
    return rowWeights(m.pack, m.yRankOf, row);
  }

  async save(): Promise<Uint8Array> {
    const m = this.fitted();
    const { pack } = m;
    const header: Header = {
      description: m.description,
      stdFloor: m.stdFloor,
      nTrees: pack.nTrees,
      lengths: {
        nodes: pack.feature.length,
        leaves: pack.leafWeight.length,
        members: pack.members.length,
        rows: m.yByRank.length,
      },
      sse: pack.sse,
      weight: pack.weight,
    };
    // 8-byte aligned arrays first, then 4-byte ones
    const arrays = [
      pack.threshold,
      pack.leafWeight,
      m.yByRank,
      pack.treeRoot,
      pack.feature,
      pack.left,
      pack.right,
      pack.leafStart,
      pack.members,
      pack.counts,
      m.yRankOf,
    ];
    return writeFile(header, arrays);
  }

  static async load(
    bytes: Uint8Array,
    options: Pick<QrfOptions, 'threads' | 'threadMinWork'> = {},
  ): Promise<QuantileForest> {
    const { header, data } = readFile(bytes);
    const d = header.description;
    if (d.kind !== KIND) throw new Error(`not a ${KIND} model: ${d.kind}`);
    const { nodes, leaves, members, rows } = header.lengths;
    const forest = new QuantileForest({
      nEstimators: d.nEstimators,
      maxFeatures: d.maxFeatures,
      minSamplesLeaf: d.minSamplesLeaf,
      maxDepth: d.maxDepth ?? undefined,
      bootstrap: d.bootstrap,
      ...options,
    });
    const shared = forest.threads > 1;
    let offset = 0;
    const take = <T extends Float64Array | Int32Array>(
      Ctor: new (b: ArrayBufferLike) => T,
      count: number,
      size: number,
    ) => {
      if (offset + count * size > data.byteLength) throw new Error('truncated model file');
      const buf = shared ? new SharedArrayBuffer(count * size) : new ArrayBuffer(count * size);
      new Uint8Array(buf).set(data.subarray(offset, offset + count * size));
      offset += count * size;
      return new Ctor(buf);
    };
    const threshold = take(Float64Array, nodes, 8);
    const leafWeight = take(Float64Array, leaves, 8);
    const yByRank = take(Float64Array, rows, 8);
    const treeRoot = take(Int32Array, header.nTrees + 1, 4);
    const feature = take(Int32Array, nodes, 4);
    const left = take(Int32Array, nodes, 4);
    const right = take(Int32Array, nodes, 4);
    const leafStart = take(Int32Array, leaves + 1, 4);
    const memberArr = take(Int32Array, members, 4);
    const counts = take(Int32Array, members, 4);
    const yRankOf = take(Int32Array, rows, 4);
    forest.model = {
      pack: {
        nTrees: header.nTrees,
        treeRoot,
        feature,
        threshold,
        left,
        right,
        leafStart,
        members: memberArr,
        counts,
        leafWeight,
        sse: header.sse,
        weight: header.weight,
      },
      yByRank,
      yRankOf,
      nFeatures: d.nFeatures,
      stdFloor: header.stdFloor,
      description: d,
    };
    return forest;
  }

  describe(): QrfDescription {
    return { ...this.fitted().description };
  }

  dispose(): void {
    this.model = undefined;
  }

  private async run(x: Float32Array, n: number, qs: number[]) {
    const m = this.fitted();
    const d = m.nFeatures;
    if (x.length !== n * d) throw new Error(`x has ${x.length} values, expected ${n} x ${d}`);
    if (this.threads > 1 && n * m.pack.nTrees >= this.threadMinWork && n >= 2 * this.threads) {
      return predictInThreads(m.pack, m.yByRank, x, n, d, qs, m.stdFloor, this.threads);
    }
    return predictRows(m.pack, m.yByRank, x, d, 0, n, qs, m.stdFloor);
  }

  private params(d: number, seed: number): ForestParams {
    const o = this.options;
    const frac = o.maxFeatures ?? 1 / 3;
    const maxFeatures =
      frac > 0 && frac <= 1 && !Number.isInteger(frac) ? Math.max(1, Math.floor(frac * d)) : frac;
    if (!Number.isInteger(maxFeatures) || maxFeatures < 1)
      throw new Error(`maxFeatures must be a positive integer or a fraction in (0, 1]: ${o.maxFeatures}`);
    const nEstimators = o.nEstimators ?? 100;
    const minSamplesLeaf = o.minSamplesLeaf ?? 5;
    if (!Number.isInteger(nEstimators) || nEstimators < 1)
      throw new Error('nEstimators must be a positive integer');
    if (!Number.isInteger(minSamplesLeaf) || minSamplesLeaf < 1)
      throw new Error('minSamplesLeaf must be a positive integer');
    return {
      nEstimators,
      maxFeatures: Math.min(maxFeatures, d),
      minSamplesLeaf,
      maxDepth: o.maxDepth ?? Number.POSITIVE_INFINITY,
      bootstrap: o.bootstrap ?? true,
      seed: seed >>> 0,
    };
  }

  private fitted(): Fitted {
    if (!this.model) throw new Error('the forest has not been fitted');
    return this.model;
  }
}

function variance(a: Float64Array): number {
  let mu = 0;
  for (const v of a) mu += v;
  mu /= a.length;
  let s = 0;
  for (const v of a) s += (v - mu) * (v - mu);
  return s / a.length;
}

function writeFile(header: Header, arrays: (Float64Array | Int32Array)[]): Uint8Array {
  return packModel(MAGIC, header, arrays, 8);
}

function readFile(bytes: Uint8Array): { header: Header; data: Uint8Array } {
  assertLittleEndian();
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`not a ${KIND} model file`);
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as Header;
  const dataStart = Math.ceil((12 + jsonLength) / 8) * 8;
  return { header, data: bytes.subarray(dataStart) };
}

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
    throw new Error('model files need a little-endian host');
}
