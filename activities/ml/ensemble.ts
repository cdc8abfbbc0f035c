/**
 * Deep ensemble of MLPs (tfjs-layers dense layers: ReLU hidden, linear output). Each member starts from
 * its own seeded initialisation and trains on its own bootstrap resample; the spread of the members'
 * predictions is the uncertainty. Inputs and target are standardised with fit-time statistics, which
 * are saved with the weights.
 *
 * Training runs its own loop (seeded shuffling, Adam) with a dense-layer gradient that transposes
 * explicitly: tfjs-backend-wasm runs the default one (a transposed-operand matmul) ~10x slower, which
 * made whole training runs ~3x slower.
 * Screening inputs with a fingerprint block takes a sparse-aware first layer (./sparse/, ~7x the dense
 * network on wasm); training stays dense: it sees hundreds of rows where a screen sees the whole pool, and a
 * sparse gradient would need a scatter-add kernel of its own.
 * Call this from a worker thread (see trainer.ts): fitting blocks the thread it runs on. The registry's entry for
 * this kind is surrogates/mlp-ensemble.ts.
 */

import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers also registers the gradient functions that training needs
import * as tfl from '@tensorflow/tfjs-layers';
import type { SurrogateConfig } from '../../lib/campaign/schema.js';
import { childSeed, mulberry32, randomInt, shuffle } from '../../lib/random.js';
import type { SurrogateKind } from '../../lib/surrogate/kinds.js';
import { isPacked, type PoolMatrix, rowCount, unpackRows } from '../../lib/surrogate/pool-rows.js';
import type {
  FitOptions,
  FitReport,
  Prediction,
  Surrogate,
  SurrogateDescription,
} from '../../lib/surrogate.js';
import { selectBackend } from './backend.js';
import { fillBatch } from './batches.js';
import { packModel } from './model-file.js';
import { SparseScreen } from './sparse/sparse-screen.js';

export const KIND = 'mlp-ensemble' satisfies SurrogateKind;
const MAX_BATCH = 64;
const PREDICT_CHUNK = 4096;
/** The predicted std never falls below this fraction of the training target's std. */
const STD_FLOOR = 1e-6;

/** The part of the surrogate settings an ensemble needs to train. */
export type EnsembleSpec = Pick<SurrogateConfig, 'ensembleSize' | 'hiddenLayers' | 'epochs' | 'learningRate'>;

export interface EnsembleDescription extends SurrogateDescription {
  /** Hidden layer widths. */
  layers: number[];
  epochs: number;
  learningRate: number;
}

export interface Scalers {
  xMean: Float32Array;
  xStd: Float32Array;
  yMean: number;
  yStd: number;
}

interface DenseParams {
  kernel: tf.Variable;
  bias: tf.Variable;
  apply: (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D;
}

export class MlpEnsemble implements Surrogate {
  readonly kind = KIND;
  private members: tfl.Sequential[] = [];
  private scalers: Scalers | undefined;
  private description: EnsembleDescription | undefined;
  private sparse: Promise<SparseScreen | undefined> | undefined;

  constructor(private readonly spec: EnsembleSpec) {}

  async fit(x: Float32Array, nFeatures: number, y: Float32Array, opts: FitOptions = {}): Promise<FitReport> {
    const n = y.length;
    if (n === 0) throw new Error('cannot fit on an empty training set');
    if (x.length !== n * nFeatures) throw new Error(`x has ${x.length} values, expected ${n} x ${nFeatures}`);
    if (!y.every(Number.isFinite)) throw new Error('the training targets contain NaN or infinite values');
    const backend = await selectBackend();
    const t0 = performance.now();
    this.dispose();
    const seed = opts.seed ?? 0;
    const { ensembleSize: members, epochs } = this.spec;
    const scalers = fitScalers(x, nFeatures, y);
    const xs = standardise(x, nFeatures, scalers);
    const ys = y.map((v) => (v - scalers.yMean) / scalers.yStd);
    let loss = 0;
    try {
      for (let m = 0; m < members; m++) {
        const memberSeed = childSeed(seed, m);
        const model = buildNetwork(nFeatures, this.spec.hiddenLayers, memberSeed);
        this.members.push(model);
        loss += trainMember(model, xs, ys, nFeatures, this.spec, memberSeed, (epoch) =>
          opts.onProgress?.((m * epochs + epoch + 1) / (members * epochs)),
        );
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.scalers = scalers;
    this.description = {
      kind: KIND,
      backend,
      members,
      layers: [...this.spec.hiddenLayers],
      nFeatures,
      trainedOn: n,
      epochs,
      learningRate: this.spec.learningRate,
      seed,
    };
    return { seconds: (performance.now() - t0) / 1000, trainLoss: loss / members, samples: n };
  }

  /**
   * Mean and spread of the members' predictions. Inputs with a fingerprint block go through the sparse-aware
   * first layer (./sparse/), which agrees with the dense network within float32 rounding; `sparse: false` forces
   * the dense network (the benchmark's and the test's reference). Large screens on the sparse path use up to
   * `threads` threads (default: one per core while the machine has a core to spare, else one: bench:screen
   * measured a helper thread slowing the screen when other work kept the cores busy).
   */
  async predict(
    x: PoolMatrix,
    n: number,
    opts: { sparse?: boolean; threads?: number; members?: boolean } = {},
  ): Promise<Prediction> {
    const scalers = this.fitted();
    await selectBackend();
    const d = scalers.xMean.length;
    if (rowCount(x, d) !== n) throw new Error(`x has ${rowCount(x, d)} rows of ${d}, expected ${n}`);
    // packed rows are unpacked a chunk at a time into one buffer: the pool never exists as dense floats
    const unpacked = isPacked(x) ? new Float32Array(Math.min(PREDICT_CHUNK, n) * d) : undefined;
    const sparse = opts.sparse === false ? undefined : await this.sparseScreen(scalers);
    const helpers = (opts.threads ?? defaultThreads()) - 1;
    await sparse?.prepare(n, helpers);
    const mean = new Float32Array(n);
    const std = new Float32Array(n);
    const m = this.members.length;
    // each member's predictions in the target's units: joint draws for Thompson sampling
    const samples = opts.members ? this.members.map(() => new Float32Array(n)) : undefined;
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const raw = isPacked(x)
        ? unpackRows(x, start, rows, unpacked).subarray(0, rows * d)
        : x.subarray(start * d, (start + rows) * d);
      const outputs = (await sparse?.outputs(raw, rows, d, helpers)) ?? this.denseOutputs(raw, rows, scalers);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (const out of outputs) sum += out[r] as number;
        const mu = sum / m;
        let sq = 0;
        for (const out of outputs) sq += ((out[r] as number) - mu) ** 2;
        mean[start + r] = mu * scalers.yStd + scalers.yMean;
        std[start + r] = Math.max(Math.sqrt(sq / m), STD_FLOOR) * scalers.yStd;
      }
      samples?.forEach((s, k) => {
        const out = outputs[k] as ArrayLike<number>;
        for (let r = 0; r < rows; r++) s[start + r] = (out[r] as number) * scalers.yStd + scalers.yMean;
      });
      await new Promise((resolve) => setImmediate(resolve)); // let a caller on this thread breathe
    }
    return samples ? { mean, std, samples } : { mean, std };
  }

  private denseOutputs(raw: Float32Array, rows: number, scalers: Scalers): Float32Array[] {
    const d = scalers.xMean.length;
    const block = standardise(raw, d, scalers);
    return tf.tidy(() => {
      const input = tf.tensor2d(block, [rows, d]);
      return this.members.map(
        (model) => (model.predictOnBatch(input) as tf.Tensor).dataSync() as Float32Array,
      );
    });
  }

  /** Built on first use from the fitted weights; undefined where the inputs have no fingerprint block. */
  private sparseScreen(scalers: Scalers): Promise<SparseScreen | undefined> {
    this.sparse ??= SparseScreen.create(
      this.members.map((model) =>
        model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array })),
      ),
      scalers,
    ).catch((err: unknown) => {
      // the dense network computes the same outputs, only slower: a missing kernel must not stop a screen
      console.warn(`sparse inference unavailable, using the dense network: ${(err as Error).message}`);
      return undefined;
    });
    return this.sparse;
  }

  async save(): Promise<Uint8Array> {
    const scalers = this.fitted();
    const weights = this.members.map((model) =>
      model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array })),
    );
    return writeModelFile({ description: this.describe(), scalers, weights });
  }

  static async load(bytes: Uint8Array): Promise<MlpEnsemble> {
    const file = readModelFile(bytes);
    const d = file.description;
    if (d.kind !== KIND) throw new Error(`not an ${KIND} model: ${d.kind}`);
    await selectBackend();
    const ensemble = new MlpEnsemble({
      ensembleSize: d.members,
      hiddenLayers: d.layers,
      epochs: d.epochs,
      learningRate: d.learningRate,
    });
    for (const [m, weights] of file.weights.entries()) {
      const model = buildNetwork(d.nFeatures, d.layers, childSeed(d.seed, m));
      const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
      model.setWeights(tensors);
      tf.dispose(tensors);
      ensemble.members.push(model);
    }
    ensemble.scalers = file.scalers;
    ensemble.description = d;
    return ensemble;
  }

  describe(): EnsembleDescription {
    if (!this.description) throw new Error('the ensemble has not been fitted');
    return { ...this.description, layers: [...this.description.layers] };
  }

  dispose(): void {
    void this.sparse?.then((sparse) => sparse?.dispose());
    this.sparse = undefined;
    for (const model of this.members) model.dispose();
    this.members = [];
    this.scalers = undefined;
    this.description = undefined;
  }

  private fitted(): Scalers {
    if (!this.scalers || this.members.length === 0) throw new Error('the ensemble has not been fitted');
    return this.scalers;
  }
}

function defaultThreads(): number {
  const cores = availableParallelism();
  return (loadavg()[0] as number) < cores - 0.5 ? cores : 1;
}

function buildNetwork(nFeatures: number, hidden: number[], seed: number): tfl.Sequential {
  const model = tfl.sequential();
  hidden.forEach((units, i) => {
    const kernelInitializer = tfl.initializers.heNormal({ seed: childSeed(seed, i + 1) });
    model.add(
      tfl.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer,
        ...(i === 0 && { inputShape: [nFeatures] }),
      }),
    );
  });
  const kernelInitializer = tfl.initializers.glorotUniform({ seed: childSeed(seed, hidden.length + 1) });
  model.add(
    tfl.layers.dense({
      units: 1,
      kernelInitializer,
      ...(hidden.length === 0 && { inputShape: [nFeatures] }),
    }),
  );
  return model;
}

/** Trains one member in place on a bootstrap resample; returns the last epoch's mean squared error. */
function trainMember(
  model: tfl.Sequential,
  xs: Float32Array,
  ys: Float32Array,
  d: number,
  spec: EnsembleSpec,
  seed: number,
  onEpoch: (epoch: number) => void,
): number {
  const rng = mulberry32(seed);
  const n = ys.length;
  const order = Array.from({ length: n }, () => randomInt(rng, n));
  const batch = Math.min(MAX_BATCH, n);
  const layers = model.layers.map((layer, i, all) => denseParams(layer, i > 0, i < all.length - 1));
  const vars = layers.flatMap((l) => [l.kernel, l.bias]);
  const optimizer = tf.train.adam(spec.learningRate);
  const xb = new Float32Array(batch * d);
  const yb = new Float32Array(batch);
  let epochLoss = Number.NaN;
  try {
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      shuffle(order, rng);
      let sum = 0;
      for (let start = 0; start < n; start += batch) {
        const rows = Math.min(batch, n - start);
        fillBatch(order, start, rows, xs, d, ys, xb, yb);
        const cost = tf.tidy(() => {
          const xt = tf.tensor2d(xb.subarray(0, rows * d), [rows, d]);
          const yt = tf.tensor2d(yb.subarray(0, rows), [rows, 1]);
          const loss = () => tf.mean(tf.squaredDifference(forward(layers, xt), yt)) as tf.Scalar;
          return optimizer.minimize(loss, true, vars) as tf.Scalar;
        });
        sum += (cost.dataSync()[0] as number) * rows;
        cost.dispose();
      }
      epochLoss = sum / n;
      onEpoch(epoch);
    }
  } finally {
    optimizer.dispose();
  }
  return epochLoss;
}

function forward(layers: DenseParams[], x: tf.Tensor): tf.Tensor2D {
  let h = x;
  for (const l of layers) h = l.apply(h, l.kernel, l.bias);
  return h as tf.Tensor2D;
}

function denseParams(layer: tfl.layers.Layer, needInputGrad: boolean, relu: boolean): DenseParams {
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
  if (
    !(kernel instanceof tf.Variable && bias instanceof tf.Variable) ||
    kernel.rank !== 2 ||
    bias.rank !== 1
  ) {
    throw new Error(`layer ${layer.name} is not a dense layer with a bias`);
  }
  return { kernel, bias, apply: denseOp(needInputGrad, relu) };
}

/** x·W + b (then ReLU), with a gradient that avoids transposed-operand matmuls. */
function denseOp(needInputGrad: boolean, relu: boolean) {
  return tf.customGrad<tf.Tensor2D>((...args) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const out = tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
    save([x, w, out]);
    return {
      value: out,
      gradFunc: (dy, saved) => {
        const [xs, ws, outs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = relu ? tf.mul(dy, tf.step(outs)) : dy;
        const dx = needInputGrad ? tf.matMul(dz, tf.transpose(ws)) : tf.zerosLike(xs);
        return [dx, tf.matMul(tf.transpose(xs), dz), tf.sum(dz, 0)];
      },
    };
  }) as (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D;
}

/**
 * Column means and stds of x (population), and of y. Binary columns (fingerprint bits: every value 0
 * or 1) are left as they are (mean 0, std 1); constant columns are only centred.
 */
export function fitScalers(x: Float32Array, d: number, y: Float32Array): Scalers {
  const n = y.length;
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  const nonBinary = new Uint8Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j] as number;
      sum[j] = (sum[j] as number) + v;
      sumSq[j] = (sumSq[j] as number) + v * v;
      if (v !== 0 && v !== 1) nonBinary[j] = 1;
    }
  }
  const xMean = new Float32Array(d);
  const xStd = new Float32Array(d).fill(1);
  for (let j = 0; j < d; j++) {
    if (!nonBinary[j]) continue;
    const mu = (sum[j] as number) / n;
    const sd = Math.sqrt(Math.max(0, (sumSq[j] as number) / n - mu * mu));
    xMean[j] = mu;
    xStd[j] = sd > 1e-8 * Math.max(1, Math.abs(mu)) ? sd : 1;
  }
  let yMean = 0;
  for (const v of y) yMean += v;
  yMean /= n;
  let yVar = 0;
  for (const v of y) yVar += (v - yMean) ** 2;
  const yStd = Math.sqrt(yVar / n);
  return { xMean, xStd, yMean, yStd: yStd > 1e-12 * Math.max(1, Math.abs(yMean)) ? yStd : 1 };
}

function standardise(x: Float32Array, d: number, s: Scalers): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % d;
    out[k] = ((x[k] as number) - (s.xMean[j] as number)) / (s.xStd[j] as number);
  }
  return out;
}

// Model file: "CSCDMLP1", u32 (little-endian) JSON header length, JSON header, zero padding to a multiple
// of 4, then little-endian float32s: xMean, xStd, and every member's weights in getWeights() order.
const MAGIC = 'CSCDMLP1';

interface ModelFile {
  description: EnsembleDescription;
  scalers: Scalers;
  weights: { shape: number[]; values: Float32Array }[][];
}

interface ModelFileHeader {
  description: EnsembleDescription;
  yMean: number;
  yStd: number;
  shapes: number[][][];
}

function writeModelFile(file: ModelFile): Uint8Array {
  assertLittleEndian();
  const { xMean, xStd, yMean, yStd } = file.scalers;
  const header: ModelFileHeader = {
    description: file.description,
    yMean,
    yStd,
    shapes: file.weights.map((ws) => ws.map((w) => w.shape)),
  };
  return packModel(MAGIC, header, [xMean, xStd, ...file.weights.flat().map((w) => w.values)], 4);
}

function readModelFile(bytes: Uint8Array): ModelFile {
  assertLittleEndian();
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`not an ${KIND} model file`);
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as ModelFileHeader;
  const dataStart = Math.ceil((12 + jsonLength) / 4) * 4;
  const floats = new Float32Array(bytes.slice(dataStart).buffer); // slice: a copy, aligned
  let offset = 0;
  const take = (count: number): Float32Array => {
    if (offset + count > floats.length) throw new Error('truncated model file');
    const part = floats.subarray(offset, offset + count);
    offset += count;
    return part;
  };
  const d = header.description.nFeatures;
  const scalers = { xMean: take(d), xStd: take(d), yMean: header.yMean, yStd: header.yStd };
  const weights = header.shapes.map((shapes) =>
    shapes.map((shape) => ({ shape, values: take(shape.reduce((a, b) => a * b, 1)) })),
  );
  return { description: header.description, scalers, weights };
}

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
    throw new Error('model files need a little-endian host');
}
