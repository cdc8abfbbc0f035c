/**
 * An ensemble's members evaluated with a sparse-aware first layer: the kernel (./kernel.ts) sums, per row, the
 * first-layer weight rows of its nonzero fingerprint bits and of its standardised descriptors; the layers after
 * it stay on TF.js (fused matMul: XNNPACK on the wasm backend). A kernel of ours for them, gathering over the
 * nonzeros that ReLU leaves (about half), measured 20-25k rows/s against XNNPACK's 24-33k for 5 members of
 * 256 x 256 (4096 NCI rows, same run, 2 busy cores, 2026-12-04), so it was not kept. Same function as the dense
 * network, summed in another order: outputs agree within float32 rounding (test/unit/sparse-inference.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_FLOATS, type FirstLayerKernel, instantiateKernel } from './kernel.js';
import { type ColumnRun, SparseRowsBuilder, splitColumns } from './nonzeros.js';

/** One member's weights in tfjs-layers order: kernel [in, out], bias [out], for each dense layer. */
export type MemberWeights = { shape: number[]; values: Float32Array }[];

/** Below this many sparse-block columns, gathering saves too little to be worth a second path. */
const MIN_SPARSE_COLUMNS = 64;
/** Above this fraction of nonzeros in the sparse block the dense path is faster, so the caller should use it. */
export const MAX_DENSITY = 0.25;

export class SparseMembers {
  private readonly rowBytes: number;
  private readonly staticBytes: number;
  private readonly later: { kernel: tf.Tensor2D; bias: tf.Tensor1D }[][];
  private readonly builder: SparseRowsBuilder;
  private readonly sparseColumns: number;

  private constructor(
    private readonly kernel: FirstLayerKernel,
    private readonly d: number,
    private readonly members: number,
    private readonly hp: number,
    weights: MemberWeights[],
    split: { sparse: ColumnRun[]; dense: number[] },
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ) {
    this.rowBytes = members * hp * 4;
    this.staticBytes = align(this.rowBytes * (d + 1)); // d weight rows, then the bias (laid out like one)
    this.builder = new SparseRowsBuilder(split.sparse, split.dense, scalers.xMean, scalers.xStd);
    this.sparseColumns = split.sparse.reduce((s, run) => s + run.end - run.start, 0);
    this.grow(this.staticBytes);
    const w = new Float32Array(kernel.memory.buffer, 0, (d + 1) * members * hp);
    weights.forEach((member, m) => {
      const [k0, b0] = member as [MemberWeights[number], MemberWeights[number]];
      const units = k0.shape[1] as number;
      for (let j = 0; j < d; j++) {
        w.set(k0.values.subarray(j * units, (j + 1) * units), (j * members + m) * hp);
      }
      w.set(b0.values, (d * members + m) * hp);
    });
    // The second layer's kernel gets zero rows for the padding units (which the kernel leaves at relu(0) = 0).
    this.later = weights.map((member) => {
      const layers: { kernel: tf.Tensor2D; bias: tf.Tensor1D }[] = [];
      for (let l = 2; l < member.length; l += 2) {
        const k = member[l] as MemberWeights[number];
        const b = member[l + 1] as MemberWeights[number];
        const [rowsIn, cols] = k.shape as [number, number];
        const padded = l === 2 ? new Float32Array(hp * cols) : k.values;
        if (l === 2) padded.set(k.values);
        layers.push({
          kernel: tf.tensor2d(padded, [l === 2 ? hp : rowsIn, cols]),
          bias: tf.tensor1d(b.values),
        });
      }
      return layers;
    });
  }

  /**
   * The sparse path for these weights, or undefined where it does not apply: no hidden layer, or too few
   * fingerprint-like columns (mean 0 and std 1 in the scalers) to gain from gathering.
   */
  static async create(
    weights: MemberWeights[],
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ): Promise<SparseMembers | undefined> {
    const first = weights[0];
    if (!first || first.length < 4) return undefined; // no hidden layer: the first layer is the output
    const d = scalers.xMean.length;
    const split = splitColumns(scalers.xMean, scalers.xStd);
    const sparseColumns = split.sparse.reduce((s, run) => s + run.end - run.start, 0);
    if (sparseColumns < MIN_SPARSE_COLUMNS) return undefined;
    const units = first[0]?.shape[1] as number;
    const hp = Math.ceil(units / BLOCK_FLOATS) * BLOCK_FLOATS;
    return new SparseMembers(await instantiateKernel(), d, weights.length, hp, weights, split, scalers);
  }

  /**
   * Each member's output for `rows` raw rows (row-major, d columns), or undefined when the rows are too dense in
   * the fingerprint block for gathering to pay (the caller then runs the dense network).
   */
  outputs(block: Float32Array, rows: number): Float32Array[] | undefined {
    const sparse = this.builder.build(block, rows, this.d);
    if (sparse.count > MAX_DENSITY * rows * this.sparseColumns + rows * (this.d - this.sparseColumns))
      return undefined;
    const { members, hp } = this;
    const offs = this.staticBytes;
    const idx = align(offs + (rows + 1) * 4);
    const val = align(idx + sparse.count * 4);
    const out = align(val + sparse.count * 4);
    this.grow(out + members * rows * hp * 4);
    const buffer = this.kernel.memory.buffer;
    new Int32Array(buffer, offs, rows + 1).set(sparse.offsets);
    const addresses = new Int32Array(buffer, idx, sparse.count);
    for (let k = 0; k < sparse.count; k++) addresses[k] = (sparse.columns[k] as number) * this.rowBytes;
    new Float32Array(buffer, val, sparse.count).set(sparse.values.subarray(0, sparse.count));
    this.kernel.firstLayer(rows, offs, idx, val, this.d * this.rowBytes, out, members, hp);
    const hidden = new Float32Array(buffer, out, members * rows * hp);
    return this.later.map((layers, m) =>
      tf.tidy(() => {
        let h: tf.Tensor2D = tf.tensor2d(hidden.subarray(m * rows * hp, (m + 1) * rows * hp), [rows, hp]);
        layers.forEach((layer, l) => {
          const activation = l < layers.length - 1 ? 'relu' : 'linear';
          h = tf.fused.matMul({ a: h, b: layer.kernel, bias: layer.bias, activation }) as tf.Tensor2D;
        });
        return h.dataSync() as Float32Array;
      }),
    );
  }

  dispose(): void {
    for (const layers of this.later) for (const l of layers) tf.dispose([l.kernel, l.bias]);
  }

  private grow(bytes: number): void {
    const have = this.kernel.memory.buffer.byteLength;
    if (bytes > have) this.kernel.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
