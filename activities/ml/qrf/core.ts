/**
 * Quantile regression forest internals (Meinshausen 2006): tree building and weighted-quantile
 * prediction on flat typed arrays, with no I/O, so the same code runs on the main thread and in
 * worker threads (parallel.ts).
 *
 * Split search needs no per-node sort: each feature's rows are ranked and sorted once per fit
 * (prepare), each tree filters those orders to its in-bag rows, and a split stable-partitions every
 * feature's order, so a node's rows stay sorted by every feature. A split's score is the variance
 * reduction proxy sum_L^2/w_L + sum_R^2/w_R from running weighted sums of y.
 *
 * Training points are relabelled by the rank of their target (0 = smallest y); leaves store those
 * ranks, so a query's touched points sort into y order with a plain numeric Int32Array sort.
 */
import { childSeed, mulberry32, randomInt } from '../../../lib/random.js';

export interface ForestParams {
  nEstimators: number;
  /** Features tried per split (an integer >= 1, already resolved from a fraction). */
  maxFeatures: number;
  minSamplesLeaf: number;
  maxDepth: number;
  bootstrap: boolean;
  seed: number;
}

/** The training set, prepared once and shared (read-only) by every tree builder. */
export interface TrainData {
  n: number;
  d: number;
  /** Column-major dense ranks of each feature: xRank[f*n + i] (equal values share a rank). */
  xRank: Int32Array;
  /** Rows sorted by each feature: xOrder[f*n + k] is the row with the k-th smallest value of f. */
  xOrder: Int32Array;
  /** Distinct values of each feature in ascending order: value of rank r is xValue[f*n + r]. */
  xValue: Float64Array;
  /** Targets in original row order. */
  y: Float64Array;
  /** yRankOf[i]: the position of row i's target in ascending y order (ties broken by row). */
  yRankOf: Int32Array;
}

/** One or more trees packed together; node and leaf indices are global to the pack. */
export interface TreePack {
  nTrees: number;
  /** First node of each tree (length nTrees + 1). */
  treeRoot: Int32Array;
  /** Split feature per node, -1 for a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  /** Left child (global node id), or the global leaf id for a leaf. */
  left: Int32Array;
  /** Right child, always left + 1 (-1 for a leaf); kept for readers of the saved format. */
  right: Int32Array;
  /** Members of leaf l are members[leafStart[l] .. leafStart[l+1]) (length nLeaves + 1). */
  leafStart: Int32Array;
  /** y rank of each member training point. */
  members: Int32Array;
  /** In-bag count of each member (1 without bootstrap). */
  counts: Int32Array;
  /** Sum of counts per leaf. */
  leafWeight: Float64Array;
  /** Sum over trees of the in-bag squared error of the leaf means (for the fit report). */
  sse: number;
  /** Sum over trees of the in-bag weight. */
  weight: number;
}

/** Ranks the training set. x is row-major n x d. */
export function prepare(
  x: Float32Array,
  n: number,
  d: number,
  y: ArrayLike<number>,
  shared = false,
): TrainData {
  const alloc = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  if (n * d >= 2 ** 31) throw new Error(`too much training data for the forest: ${n} x ${d}`);
  const xRank = new Int32Array(alloc(4 * n * d));
  const xOrder = new Int32Array(alloc(4 * n * d));
  const xValue = new Float64Array(alloc(8 * n * d));
  const col = new Float32Array(n);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + f] as number;
    const order = sortedOrder(col, n);
    xOrder.set(order, f * n);
    let rank = -1;
    let prev = Number.NaN;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      const v = col[i] as number;
      if (v !== prev) {
        rank++;
        xValue[f * n + rank] = v;
        prev = v;
      }
      xRank[f * n + i] = rank;
    }
  }
  const ys = new Float64Array(alloc(8 * n));
  for (let i = 0; i < n; i++) ys[i] = y[i] as number;
  const yOrder = sortedOrder(ys, n);
  const yRankOf = new Int32Array(alloc(4 * n));
  for (let k = 0; k < n; k++) yRankOf[yOrder[k] as number] = k;
  return { n, d, xRank, xOrder, xValue, y: ys, yRankOf };
}

/** Row order of values ascending, ties by row (done once per feature at fit time). */
function sortedOrder(values: Float32Array | Float64Array, n: number): Int32Array {
  const rows = Array.from({ length: n }, (_, i) => i);
  rows.sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  return Int32Array.from(rows);
}

/** Growable int/float column. */
class Column<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (size: number) => T,
  ) {}
  push(v: number): number {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  trimmed(): T {
    return this.data.slice(0, this.length) as T;
  }
}

const ints = (size: number) => new Column(new Int32Array(size), (s) => new Int32Array(s));
const floats = (size: number) => new Column(new Float64Array(size), (s) => new Float64Array(s));

/** Builds trees first .. first+count-1 of the forest (tree t is seeded by childSeed(seed, t)). */
export function buildTrees(data: TrainData, params: ForestParams, first: number, count: number): TreePack {
  const { n, d } = data;
  const feature = ints(1024);
  const threshold = floats(1024);
  const left = ints(1024);
  const right = ints(1024);
  const leafStart = ints(1024);
  const members = ints(Math.max(16, n * count));
  const countsOut = ints(Math.max(16, n * count));
  const leafWeight = floats(1024);
  const treeRoot = new Int32Array(count + 1);
  const work = new Workspace(n, d);
  let sse = 0;
  let weight = 0;
  for (let t = 0; t < count; t++) {
    treeRoot[t] = feature.length;
    const r = growTree(data, params, childSeed(params.seed, first + t), work, {
      feature,
      threshold,
      left,
      right,
      leafStart,
      members,
      counts: countsOut,
      leafWeight,
    });
    sse += r.sse;
    weight += r.weight;
  }
  treeRoot[count] = feature.length;
  leafStart.push(members.length);
  return {
    nTrees: count,
    treeRoot,
    feature: feature.trimmed(),
    threshold: threshold.trimmed(),
    left: left.trimmed(),
    right: right.trimmed(),
    leafStart: leafStart.trimmed(),
    members: members.trimmed(),
    counts: countsOut.trimmed(),
    leafWeight: leafWeight.trimmed(),
    sse,
    weight,
  };
}

class Workspace {
  readonly cnt: Int32Array;
  /** Per feature, the node's in-bag rows sorted by that feature: order[f*n + s .. f*n + e). */
  readonly order: Int32Array;
  readonly tmp: Int32Array;
  readonly goesLeft: Uint8Array;
  readonly perm: Int32Array;
  constructor(n: number, d: number) {
    this.cnt = new Int32Array(n);
    this.order = new Int32Array(n * d);
    this.tmp = new Int32Array(n);
    this.goesLeft = new Uint8Array(n);
    this.perm = new Int32Array(d);
  }
}

interface Out {
  feature: Column<Int32Array>;
  threshold: Column<Float64Array>;
  left: Column<Int32Array>;
  right: Column<Int32Array>;
  leafStart: Column<Int32Array>;
  members: Column<Int32Array>;
  counts: Column<Int32Array>;
  leafWeight: Column<Float64Array>;
}

function growTree(
  data: TrainData,
  params: ForestParams,
  seed: number,
  work: Workspace,
  out: Out,
): { sse: number; weight: number } {
  const { n, d, xRank, xOrder, xValue, y, yRankOf } = data;
  const { minSamplesLeaf: minLeaf, maxDepth } = params;
  const mtry = Math.min(d, Math.max(1, params.maxFeatures));
  const rng = mulberry32(seed);
  const { cnt, order, tmp, goesLeft, perm } = work;
  // the sample: bootstrap counts, or every row once
  if (params.bootstrap) {
    cnt.fill(0);
    for (let k = 0; k < n; k++) {
      const i = randomInt(rng, n);
      cnt[i] = (cnt[i] as number) + 1;
    }
  } else {
    cnt.fill(1);
  }
  // presorted in-bag rows per feature (stays sorted under the stable partitions below)
  let m = 0;
  for (let f = 0; f < d; f++) {
    const base = f * n;
    let k = 0;
    for (let r = 0; r < n; r++) {
      const i = xOrder[base + r] as number;
      if ((cnt[i] as number) > 0) order[base + k++] = i;
    }
    m = k;
  }
  let sseTree = 0;
  let weightTree = 0;
  // explicit stack of (node, start, end, depth)
  const stack: number[] = [];
  const root = out.feature.push(-1);
  out.threshold.push(0);
  out.left.push(-1);
  out.right.push(-1);
  stack.push(root, 0, m, 0);
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const e = stack.pop() as number;
    const s = stack.pop() as number;
    const node = stack.pop() as number;
    const size = e - s;
    let W = 0;
    let S = 0;
    let S2 = 0;
    for (let k = s; k < e; k++) {
      const i = order[k] as number;
      const c = cnt[i] as number;
      const v = y[i] as number;
      W += c;
      S += c * v;
      S2 += c * v * v;
    }
    const impurity = S2 / W - (S / W) * (S / W);
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestF = -1;
    let bestRank = 0;
    let bestNext = 0;
    let bestLeft = 0;
    if (size >= 2 * minLeaf && depth < maxDepth && impurity > 1e-12 * (S2 / W + 1e-300)) {
      for (let f = 0; f < d; f++) perm[f] = f;
      let visited = 0;
      let nonConstant = 0;
      while (visited < d && nonConstant < mtry) {
        const j = visited + randomInt(rng, d - visited);
        const f = perm[j] as number;
        perm[j] = perm[visited] as number;
        perm[visited] = f;
        visited++;
        const base = f * n;
        const lo = xRank[base + (order[base + s] as number)] as number;
        const hi = xRank[base + (order[base + e - 1] as number)] as number;
        if (lo === hi) continue;
        nonConstant++;
        let wl = 0;
        let sl = 0;
        let r = lo;
        const lastLeft = e - minLeaf;
        for (let k = s; k < lastLeft; k++) {
          const i = order[base + k] as number;
          const c = cnt[i] as number;
          wl += c;
          sl += c * (y[i] as number);
          const next = xRank[base + (order[base + k + 1] as number)] as number;
          if (next === r) continue;
          if (k + 1 - s >= minLeaf) {
            const sr = S - sl;
            const score = (sl * sl) / wl + (sr * sr) / (W - wl);
            if (score > bestScore) {
              bestScore = score;
              bestF = f;
              bestRank = r;
              bestNext = next;
              bestLeft = k + 1 - s;
            }
          }
          r = next;
        }
      }
    }
    if (bestF < 0) {
      // a leaf: keep every in-bag training point that reached it
      const leaf = out.leafStart.push(out.members.length);
      out.leafWeight.push(W);
      for (let k = s; k < e; k++) {
        const i = order[k] as number;
        out.members.push(yRankOf[i] as number);
        out.counts.push(cnt[i] as number);
      }
      out.left.data[node] = leaf;
      sseTree += S2 - (S * S) / W;
      weightTree += W;
      continue;
    }
    // split: the first bestLeft rows in bestF's order go left. Stable-partition the other features'
    // orders when a child may split again; a child that is surely a leaf needs only its rows, which
    // sit in feature 0's segment (the one leaves and node sums read).
    const bestBase = bestF * n;
    const mid = s + bestLeft;
    const deeper = depth + 1 < maxDepth;
    if (deeper && (bestLeft >= 2 * minLeaf || size - bestLeft >= 2 * minLeaf)) {
      for (let k = s; k < mid; k++) goesLeft[order[bestBase + k] as number] = 1;
      for (let f = 0; f < d; f++) {
        if (f === bestF) continue;
        const base = f * n;
        let nl = base + s;
        let nr = 0;
        for (let k = base + s; k < base + e; k++) {
          // branch-free: the side is a coin flip, so a branch would mispredict half the time
          const i = order[k] as number;
          const g = goesLeft[i] as number;
          order[nl] = i;
          tmp[nr] = i;
          nl += g;
          nr += 1 - g;
        }
        for (let k = 0; k < nr; k++) order[nl + k] = tmp[k] as number;
      }
      for (let k = s; k < mid; k++) goesLeft[order[bestBase + k] as number] = 0;
    } else if (bestF !== 0) {
      order.copyWithin(s, bestBase + s, bestBase + e);
    }
    const lv = xValue[bestBase + bestRank] as number;
    const rv = xValue[bestBase + bestNext] as number;
    let thr = lv + (rv - lv) / 2;
    if (!(thr >= lv && thr < rv)) thr = lv;
    out.feature.data[node] = bestF;
    out.threshold.data[node] = thr;
    const l = out.feature.push(-1);
    out.threshold.push(0);
    out.left.push(-1);
    out.right.push(-1);
    const rn = out.feature.push(-1);
    out.threshold.push(0);
    out.left.push(-1);
    out.right.push(-1);
    out.left.data[node] = l;
    out.right.data[node] = rn;
    // right first so the left subtree is built (and its leaves numbered) first
    stack.push(rn, mid, e, depth + 1, l, s, mid, depth + 1);
  }
  return { sse: sseTree, weight: weightTree };
}

/** Concatenates packs (in tree order), shifting node and leaf ids. */
export function mergePacks(packs: TreePack[], shared = false): TreePack {
  const sum = (get: (p: TreePack) => number) => packs.reduce((s, p) => s + get(p), 0);
  const nTrees = sum((p) => p.nTrees);
  const nNodes = sum((p) => p.feature.length);
  const nLeaves = sum((p) => p.leafWeight.length);
  const nMembers = sum((p) => p.members.length);
  const I = (len: number) =>
    new Int32Array(shared ? new SharedArrayBuffer(4 * len) : new ArrayBuffer(4 * len));
  const F = (len: number) =>
    new Float64Array(shared ? new SharedArrayBuffer(8 * len) : new ArrayBuffer(8 * len));
  const out: TreePack = {
    nTrees,
    treeRoot: I(nTrees + 1),
    feature: I(nNodes),
    threshold: F(nNodes),
    left: I(nNodes),
    right: I(nNodes),
    leafStart: I(nLeaves + 1),
    members: I(nMembers),
    counts: I(nMembers),
    leafWeight: F(nLeaves),
    sse: sum((p) => p.sse),
    weight: sum((p) => p.weight),
  };
  let t0 = 0;
  let n0 = 0;
  let l0 = 0;
  let m0 = 0;
  for (const p of packs) {
    for (let t = 0; t < p.nTrees; t++) out.treeRoot[t0 + t] = (p.treeRoot[t] as number) + n0;
    for (let k = 0; k < p.feature.length; k++) {
      const leaf = (p.feature[k] as number) < 0;
      out.left[n0 + k] = (p.left[k] as number) + (leaf ? l0 : n0);
      out.right[n0 + k] = leaf ? -1 : (p.right[k] as number) + n0;
    }
    out.feature.set(p.feature, n0);
    out.threshold.set(p.threshold, n0);
    for (let l = 0; l < p.leafWeight.length; l++) out.leafStart[l0 + l] = (p.leafStart[l] as number) + m0;
    out.leafWeight.set(p.leafWeight, l0);
    out.members.set(p.members, m0);
    out.counts.set(p.counts, m0);
    t0 += p.nTrees;
    n0 += p.feature.length;
    l0 += p.leafWeight.length;
    m0 += p.members.length;
  }
  out.treeRoot[nTrees] = nNodes;
  out.leafStart[nLeaves] = nMembers;
  return out;
}

/**
 * Leaf id reached by row x (offset xo into a row-major array) in the tree rooted at root. A node's
 * children are always adjacent (right = left + 1), so the step is branch-free: the side taken is a
 * coin flip that a branch would mispredict about half the time.
 */
export function leafOf(pack: TreePack, root: number, x: ArrayLike<number>, xo: number): number {
  const { feature, threshold, left } = pack;
  let node = root;
  let f = feature[node] as number;
  while (f >= 0) {
    node = (left[node] as number) + +((x[xo + f] as number) > (threshold[node] as number));
    f = feature[node] as number;
  }
  return left[node] as number;
}

/** Every leaf's in-bag mean of the training target (a tree's prediction for a row that reaches that leaf). */
export function leafMeans(pack: TreePack, yByRank: Float64Array): Float64Array {
  const { leafStart, members, counts, leafWeight } = pack;
  const out = new Float64Array(leafWeight.length);
  for (let leaf = 0; leaf < out.length; leaf++) {
    let m = 0;
    for (let k = leafStart[leaf] as number; k < (leafStart[leaf + 1] as number); k++)
      m += (counts[k] as number) * (yByRank[members[k] as number] as number);
    out[leaf] = m / (leafWeight[leaf] as number);
  }
  return out;
}

/**
 * Each tree's own prediction for rows [from, to) of x, one array per tree in `trees` (leafMean: leafMeans of the
 * pack): joint draws of the pool's values for Thompson sampling. The forest's mean is the average of all its
 * trees' predictions, since its weights give each tree 1/T.
 */
export function treePredictions(
  pack: TreePack,
  leafMean: Float64Array,
  x: Float32Array,
  d: number,
  from: number,
  to: number,
  trees: readonly number[],
): Float32Array[] {
  return trees.map((t) => {
    if (!(t >= 0 && t < pack.nTrees)) throw new Error(`tree ${t} is not in a pack of ${pack.nTrees}`);
    const root = pack.treeRoot[t] as number;
    const out = new Float32Array(to - from);
    for (let r = from; r < to; r++) out[r - from] = leafMean[leafOf(pack, root, x, r * d)] as number;
    return out;
  });
}

/** Rows whose leaves are found together in predictRows. */
const LEAF_BLOCK = 256;

export interface PredictOut {
  mean: Float32Array;
  std: Float32Array;
  /** rows x qs.length, row-major; empty when no quantiles were asked for. */
  quantiles: Float64Array;
}

/**
 * Forest weights, mean, std and quantiles for rows [from, to) of x. yByRank is the training target
 * in ascending order; stdFloor is the smallest std returned.
 */
export function predictRows(
  pack: TreePack,
  yByRank: Float64Array,
  x: Float32Array,
  d: number,
  from: number,
  to: number,
  qs: readonly number[],
  stdFloor: number,
): PredictOut {
  const rows = to - from;
  const n = yByRank.length;
  const T = pack.nTrees;
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const mean = new Float32Array(rows);
  const std = new Float32Array(rows);
  const nq = qs.length;
  const quantiles = new Float64Array(rows * nq);
  const qOrder = qs.map((_, k) => k).sort((a, b) => (qs[a] as number) - (qs[b] as number));
  const qSorted = qOrder.map((k) => (qs[k] as number) - 1e-12);
  const { treeRoot, leafStart, members, counts, leafWeight } = pack;
  // leaves for a block of rows, tree by tree (one tree's nodes stay in cache across the block)
  const leaves = new Int32Array(LEAF_BLOCK * T);
  for (let r = 0; r < rows; r++) {
    if (r % LEAF_BLOCK === 0) {
      const blockEnd = Math.min(rows, r + LEAF_BLOCK);
      for (let t = 0; t < T; t++) {
        const root = treeRoot[t] as number;
        for (let q = r; q < blockEnd; q++) leaves[(q - r) * T + t] = leafOf(pack, root, x, (from + q) * d);
      }
    }
    const lo = (r % LEAF_BLOCK) * T;
    let nt = 0;
    for (let t = 0; t < T; t++) {
      const leaf = leaves[lo + t] as number;
      const a = leafStart[leaf] as number;
      const b = leafStart[leaf + 1] as number;
      const inv = 1 / ((leafWeight[leaf] as number) * T);
      for (let k = a; k < b; k++) {
        const j = members[k] as number;
        if (acc[j] === 0) touched[nt++] = j;
        acc[j] = (acc[j] as number) + (counts[k] as number) * inv;
      }
    }
    // touched ranks in ascending (= y) order
    const sel = touched.subarray(0, nt);
    sel.sort();
    let mu = 0;
    let total = 0;
    for (let k = 0; k < nt; k++) {
      const j = sel[k] as number;
      const w = acc[j] as number;
      total += w;
      mu += w * (yByRank[j] as number);
    }
    mu /= total;
    let v = 0;
    let cum = 0;
    let qi = 0;
    for (let k = 0; k < nt; k++) {
      const j = sel[k] as number;
      const w = acc[j] as number;
      const yj = yByRank[j] as number;
      v += w * (yj - mu) * (yj - mu);
      cum += w / total;
      while (qi < nq && cum >= (qSorted[qi] as number)) {
        quantiles[r * nq + (qOrder[qi] as number)] = yj;
        qi++;
      }
      acc[j] = 0;
    }
    for (; qi < nq; qi++)
      quantiles[r * nq + (qOrder[qi] as number)] = yByRank[sel[nt - 1] as number] as number;
    mean[r] = mu;
    std[r] = Math.max(Math.sqrt(v / total), stdFloor);
  }
  return { mean, std, quantiles };
}

/** Sparse forest weights of one row: training rows (original order) and their weights. */
export function rowWeights(
  pack: TreePack,
  yRankOf: Int32Array,
  x: ArrayLike<number>,
): { index: Int32Array; weight: Float64Array } {
  const n = yRankOf.length;
  const rowOfRank = new Int32Array(n);
  for (let i = 0; i < n; i++) rowOfRank[yRankOf[i] as number] = i;
  const acc = new Map<number, number>();
  const T = pack.nTrees;
  for (let t = 0; t < T; t++) {
    const leaf = leafOf(pack, pack.treeRoot[t] as number, x, 0);
    const inv = 1 / ((pack.leafWeight[leaf] as number) * T);
    for (let k = pack.leafStart[leaf] as number; k < (pack.leafStart[leaf + 1] as number); k++) {
      const i = rowOfRank[pack.members[k] as number] as number;
      acc.set(i, (acc.get(i) ?? 0) + (pack.counts[k] as number) * inv);
    }
  }
  const index = Int32Array.from([...acc.keys()].sort((a, b) => a - b));
  return { index, weight: Float64Array.from(index, (i) => acc.get(i) as number) };
}
