/**
 * Latent binary-encoding classifier, after Sbailò & Ghiringhelli, "Emergence of a latent binary encoding
 * in deep neural network classifiers" (arXiv:2310.08224): a dense ReLU backbone, a linear bottleneck of
 * `latentDim` units (no activation) whose outputs are the latent z, and a linear layer from z to the class
 * logits. The loss is softmax cross-entropy on the logits plus λ·exp(mean(z²)), the mean taken over the
 * batch and the latent units.
 *
 * Overflow guard: mean(z²) is capped at `penaltyCap` (default 20) inside the exponential and continued
 * linearly above it, i.e. exp(min(m, c))·(1 + max(0, m − c)). Below the cap this is exactly exp(m); above
 * it, it stays finite in float32 and keeps a non-zero gradient (exp(c)) that still pulls z back.
 *
 * Inputs are standardised with fit-time column means and stds (constant columns only centred), saved
 * with the weights. Training is a custom loop: seeded initialisers, seeded shuffling, Adam.
 */

import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers provides the seeded initialisers (and registers gradient functions)
import * as tfl from '@tensorflow/tfjs-layers';
import { childSeed, mulberry32, shuffle } from '../../../lib/random.js';
import { FAILURE_CLASSIFIER } from '../../../lib/surrogate/kinds.js';
import { selectBackend } from '../backend.js';
import { fillBatch } from '../batches.js';
import { packModel } from '../model-file.js';

export const KIND = FAILURE_CLASSIFIER;
const MAGIC = 'CSCDLBE1';
const PREDICT_CHUNK = 4096;

export interface LbeFitOptions {
  classes: number;
  /** Weight of the exp(mean(z²)) penalty; 0 switches it off. */
  lambda: number;
  epochs: number;
  seed?: number;
  /** Backbone widths (dense ReLU layers); default [64, 64]. */
  hiddenLayers?: number[];
  /** Bottleneck width d; default 3. */
  latentDim?: number;
  learningRate?: number;
  batchSize?: number;
  /** Cap on mean(z²) inside exp (see the file comment); default 20. */
  penaltyCap?: number;
  onEpoch?: (epoch: number, loss: { crossEntropy: number; penalty: number }) => void;
}

export interface LbeFitReport {
  seconds: number;
  epochs: number;
  samples: number;
  /** Last epoch's mean cross-entropy and mean λ·exp(mean z²) over batches. */
  crossEntropy: number;
  penalty: number;
}

export interface LbeDescription {
  kind: typeof KIND;
  backend: string;
  nFeatures: number;
  classes: number;
  hiddenLayers: number[];
  latentDim: number;
  lambda: number;
  penaltyCap: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  trainedOn: number;
}

export interface LbePrediction {
  /** n × classes, row-major softmax probabilities. */
  probs: Float32Array;
  /** n × latentDim, row-major bottleneck activations. */
  z: Float32Array;
  /** argmax of each row of probs. */
  labels: Int32Array;
}

interface Layer {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * λ·exp(mean(z²)) with the overflow guard described above: exp(min(m, cap))·(1 + max(0, m − cap)).
 */
export function latentPenalty(z: tf.Tensor, lambda: number, cap = 20): tf.Scalar {
  return tf.tidy(() => {
    const m = tf.mean(tf.square(z));
    const guarded = tf.mul(tf.exp(tf.minimum(m, cap)), tf.add(1, tf.relu(tf.sub(m, cap))));
    return tf.mul(lambda, guarded) as tf.Scalar;
  });
}

/** Softmax cross-entropy (mean over rows) of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, classes);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logp), 1))) as tf.Scalar;
  });
}

export class LatentBinaryClassifier {
  readonly kind = KIND;
  private layers: Layer[] = [];
  private xMean: Float32Array | undefined;
  private xStd: Float32Array | undefined;
  private description: LbeDescription | undefined;

  async fit(
    x: Float32Array,
    nFeatures: number,
    labels: Int32Array,
    opts: LbeFitOptions,
  ): Promise<LbeFitReport> {
    const n = labels.length;
    const { classes, lambda, epochs } = opts;
    if (n === 0) throw new Error('cannot fit on an empty training set');
    if (x.length !== n * nFeatures) throw new Error(`x has ${x.length} values, expected ${n} x ${nFeatures}`);
    if (!Number.isInteger(classes) || classes < 2)
      throw new Error(`classes must be an integer >= 2: ${classes}`);
    if (!labels.every((l) => l >= 0 && l < classes)) throw new Error(`labels must lie in [0, ${classes})`);
    if (!(lambda >= 0)) throw new Error(`lambda must be >= 0: ${lambda}`);
    const backend = await selectBackend();
    const t0 = performance.now();
    this.dispose();
    const seed = opts.seed ?? 0;
    const hiddenLayers = [...(opts.hiddenLayers ?? [64, 64])];
    const latentDim = opts.latentDim ?? 3;
    const learningRate = opts.learningRate ?? 1e-3;
    const batchSize = Math.min(opts.batchSize ?? 64, n);
    const penaltyCap = opts.penaltyCap ?? 20;
    const { mean, std } = columnStats(x, nFeatures);
    const xs = standardise(x, nFeatures, mean, std);
    this.layers = buildLayers(nFeatures, hiddenLayers, latentDim, classes, seed);
    const vars = this.layers.flatMap((l) => [l.kernel, l.bias]);
    const optimizer = tf.train.adam(learningRate);
    const rng = mulberry32(childSeed(seed, 1000));
    const order = Array.from({ length: n }, (_, i) => i);
    const xb = new Float32Array(batchSize * nFeatures);
    const yb = new Int32Array(batchSize);
    let ceLast = Number.NaN;
    let penLast = Number.NaN;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        shuffle(order, rng);
        let ceSum = 0;
        let penSum = 0;
        for (let start = 0; start < n; start += batchSize) {
          const rows = Math.min(batchSize, n - start);
          fillBatch(order, start, rows, xs, nFeatures, labels, xb, yb);
          const parts = tf.tidy(() => {
            const xt = tf.tensor2d(xb.subarray(0, rows * nFeatures), [rows, nFeatures]);
            const yt = tf.tensor1d(yb.subarray(0, rows), 'int32');
            let ce: tf.Scalar | undefined;
            let pen: tf.Scalar | undefined;
            optimizer.minimize(
              () => {
                const { z, logits } = forward(this.layers, xt);
                // kept: the gradient pass disposes everything but the returned loss
                ce = tf.keep(crossEntropy(logits, yt, classes));
                pen = tf.keep(lambda > 0 ? latentPenalty(z, lambda, penaltyCap) : tf.scalar(0));
                return tf.add(ce, pen) as tf.Scalar;
              },
              false,
              vars,
            );
            const both = tf.stack([ce as tf.Scalar, pen as tf.Scalar]);
            tf.dispose([ce as tf.Scalar, pen as tf.Scalar]);
            return both;
          });
          const [ce, pen] = parts.dataSync();
          parts.dispose();
          ceSum += (ce as number) * rows;
          penSum += (pen as number) * rows;
        }
        ceLast = ceSum / n;
        penLast = penSum / n;
        if (!Number.isFinite(ceLast + penLast)) throw new Error(`training diverged at epoch ${epoch}`);
        opts.onEpoch?.(epoch, { crossEntropy: ceLast, penalty: penLast });
      }
    } catch (err) {
      this.dispose();
      throw err;
    } finally {
      optimizer.dispose();
    }
    this.xMean = mean;
    this.xStd = std;
    this.description = {
      kind: KIND,
      backend,
      nFeatures,
      classes,
      hiddenLayers,
      latentDim,
      lambda,
      penaltyCap,
      epochs,
      learningRate,
      batchSize,
      seed,
      trainedOn: n,
    };
    return {
      seconds: (performance.now() - t0) / 1000,
      epochs,
      samples: n,
      crossEntropy: ceLast,
      penalty: penLast,
    };
  }

  async predict(x: Float32Array, n: number): Promise<LbePrediction> {
    const d = this.fitted();
    const { xMean, xStd } = this.scalers();
    await selectBackend();
    const f = d.nFeatures;
    if (x.length !== n * f) throw new Error(`x has ${x.length} values, expected ${n} x ${f}`);
    const probs = new Float32Array(n * d.classes);
    const z = new Float32Array(n * d.latentDim);
    const labels = new Int32Array(n);
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const block = standardise(x.subarray(start * f, (start + rows) * f), f, xMean, xStd);
      const [p, zz] = tf.tidy(() => {
        const out = forward(this.layers, tf.tensor2d(block, [rows, f]));
        return [tf.softmax(out.logits).dataSync(), out.z.dataSync()];
      });
      probs.set(p as Float32Array, start * d.classes);
      z.set(zz as Float32Array, start * d.latentDim);
    }
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < d.classes; k++)
        if ((probs[i * d.classes + k] as number) > (probs[i * d.classes + best] as number)) best = k;
      labels[i] = best;
    }
    return { probs, z, labels };
  }

  async save(): Promise<Uint8Array> {
    const description = this.fitted();
    const weights = this.layers.flatMap((l) => [l.kernel, l.bias]);
    const header = { description, shapes: weights.map((w) => w.shape) };
    const { xMean, xStd } = this.scalers();
    const arrays = [xMean, xStd, ...weights.map((w) => w.dataSync() as Float32Array)];
    return packModel(MAGIC, header, arrays, 4);
  }

  static async load(bytes: Uint8Array): Promise<LatentBinaryClassifier> {
    if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
      throw new Error('model files need a little-endian host');
    if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
      throw new Error(`not a ${KIND} model file`);
    const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as {
      description: LbeDescription;
      shapes: number[][];
    };
    const d = header.description;
    if (d.kind !== KIND) throw new Error(`not a ${KIND} model: ${d.kind}`);
    const dataStart = Math.ceil((12 + jsonLength) / 4) * 4;
    const floats = new Float32Array(bytes.slice(dataStart).buffer); // slice: an aligned copy
    let offset = 0;
    const take = (count: number): Float32Array => {
      if (offset + count > floats.length) throw new Error('truncated model file');
      const part = floats.slice(offset, offset + count);
      offset += count;
      return part;
    };
    await selectBackend();
    const model = new LatentBinaryClassifier();
    model.xMean = take(d.nFeatures);
    model.xStd = take(d.nFeatures);
    const values = header.shapes.map((shape) => tf.tensor(take(shape.reduce((a, b) => a * b, 1)), shape));
    for (let i = 0; i < values.length; i += 2) {
      model.layers.push({
        kernel: tf.variable(values[i] as tf.Tensor),
        bias: tf.variable(values[i + 1] as tf.Tensor),
      });
    }
    tf.dispose(values);
    model.description = d;
    return model;
  }

  describe(): LbeDescription {
    const d = this.fitted();
    return { ...d, hiddenLayers: [...d.hiddenLayers] };
  }

  dispose(): void {
    for (const l of this.layers) {
      l.kernel.dispose();
      l.bias.dispose();
    }
    this.layers = [];
    this.xMean = undefined;
    this.xStd = undefined;
    this.description = undefined;
  }

  private scalers(): { xMean: Float32Array; xStd: Float32Array } {
    if (!this.xMean || !this.xStd) throw new Error('the classifier has not been fitted');
    return { xMean: this.xMean, xStd: this.xStd };
  }

  private fitted(): LbeDescription {
    if (!this.description || !this.xMean || !this.xStd || this.layers.length === 0)
      throw new Error('the classifier has not been fitted');
    return this.description;
  }
}

/** Hidden layers (He-normal, ReLU), then the bottleneck and the classifier (Glorot-uniform, linear). */
function buildLayers(
  nFeatures: number,
  hidden: number[],
  latentDim: number,
  classes: number,
  seed: number,
): Layer[] {
  const widths = [nFeatures, ...hidden, latentDim, classes];
  const layers: Layer[] = [];
  for (let i = 1; i < widths.length; i++) {
    const shape = [widths[i - 1] as number, widths[i] as number];
    const init =
      i <= hidden.length
        ? tfl.initializers.heNormal({ seed: childSeed(seed, i) })
        : tfl.initializers.glorotUniform({ seed: childSeed(seed, i) });
    layers.push({
      kernel: tf.variable(init.apply(shape, 'float32')),
      bias: tf.variable(tf.zeros([shape[1] as number])),
    });
  }
  return layers;
}

function forward(layers: Layer[], x: tf.Tensor2D): { z: tf.Tensor2D; logits: tf.Tensor2D } {
  let h: tf.Tensor2D = x;
  const nHidden = layers.length - 2;
  for (let i = 0; i < nHidden; i++) {
    const l = layers[i] as Layer;
    h = tf.relu(tf.add(tf.matMul(h, l.kernel), l.bias)) as tf.Tensor2D;
  }
  const bottleneck = layers[nHidden] as Layer;
  const head = layers[nHidden + 1] as Layer;
  const z = tf.add(tf.matMul(h, bottleneck.kernel), bottleneck.bias) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(z, head.kernel), head.bias) as tf.Tensor2D;
  return { z, logits };
}

function columnStats(x: Float32Array, d: number): { mean: Float32Array; std: Float32Array } {
  const n = x.length / d;
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j] as number;
      sum[j] = (sum[j] as number) + v;
      sumSq[j] = (sumSq[j] as number) + v * v;
    }
  const mean = new Float32Array(d);
  const std = new Float32Array(d).fill(1);
  for (let j = 0; j < d; j++) {
    const mu = (sum[j] as number) / n;
    const sd = Math.sqrt(Math.max(0, (sumSq[j] as number) / n - mu * mu));
    mean[j] = mu;
    if (sd > 1e-8 * Math.max(1, Math.abs(mu))) std[j] = sd;
  }
  return { mean, std };
}

function standardise(x: Float32Array, d: number, mean: Float32Array, std: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % d;
    out[k] = ((x[k] as number) - (mean[j] as number)) / (std[j] as number);
  }
  return out;
}
