/**
 * The WebAssembly path for an ensemble's members (the fallback where the native kernel, ./native-members.ts, is
 * not built): the kernel (./kernel.ts) sums, per row, the first-layer weight rows of its nonzero fingerprint bits
 * and of its standardised descriptors; the layers after it stay on TF.js (fused matMul: XNNPACK on the wasm
 * backend). A WebAssembly kernel of ours for them, gathering over the nonzeros that ReLU leaves (about half),
 * measured 20-25k rows/s against XNNPACK's 24-33k for 5 members of 256 x 256 (4096 NCI rows, same run, 2 busy
 * cores, 2026-12-04), so it was not kept. One thread: ./helpers.ts adds more.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_FLOATS, type FirstLayerKernel, instantiateKernel } from './kernel.js';
import type { MemberWeights } from './member-weights.js';
import { type ColumnRun, SparseRowsBuilder } from './nonzeros.js';

export class WasmMembers {
  private readonly rowBytes: number;
  private readonly staticBytes: number;
  private readonly later: { kernel: tf.Tensor2D; bias: tf.Tensor1D }[][];
  private readonly builder: SparseRowsBuilder;

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

  /** For weights with a hidden layer (checked by the caller, ./sparse-members.ts). */
  static async create(
    weights: MemberWeights[],
    split: { sparse: ColumnRun[]; dense: number[] },
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ): Promise<WasmMembers> {
    const units = weights[0]?.[0]?.shape[1] as number;
    const hp = Math.ceil(units / BLOCK_FLOATS) * BLOCK_FLOATS;
    const d = scalers.xMean.length;
    return new WasmMembers(await instantiateKernel(), d, weights.length, hp, weights, split, scalers);
  }

  /** Each member's output for `rows` raw rows, or undefined when they hold more than maxNonzeros entries. */
  outputs(block: Float32Array, rows: number, maxNonzeros: number): Float32Array[] | undefined {
    const sparse = this.builder.build(block, rows, this.d);
    if (sparse.count > maxNonzeros) return undefined;
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
