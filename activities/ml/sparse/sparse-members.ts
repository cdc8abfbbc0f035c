/**
 * An ensemble's members evaluated with a sparse-aware first layer: per row, the sum of the first-layer weight
 * rows of its nonzero fingerprint bits and of its standardised descriptors, then the later layers. Two kernels
 * compute it (./native.ts chooses): the native addon for the whole network (./native-members.ts), or WebAssembly
 * for the first layer and TF.js for the rest (./wasm-members.ts). Same function as the dense network, summed in
 * another order: outputs agree within float32 rounding (test/unit/sparse-inference.test.ts,
 * test/unit/sparse-kernels.test.ts).
 */
import type { MemberWeights } from './member-weights.js';
import { chooseSparseKernel, type KernelChoice, type SparseKernelName } from './native.js';
import { NativeMembers } from './native-members.js';
import { splitColumns } from './nonzeros.js';
import { WasmMembers } from './wasm-members.js';

export type { MemberWeights } from './member-weights.js';

/** Below this many sparse-block columns, gathering saves too little to be worth a second path. */
const MIN_SPARSE_COLUMNS = 64;
/**
 * Above this fraction of nonzeros in the sparse block the dense path is faster, so the caller should use it.
 * Measured for the wasm kernel against TF.js's dense network; the native kernel keeps the same rule, so both
 * hand the same chunks back.
 */
export const MAX_DENSITY = 0.25;

export class SparseMembers {
  private constructor(
    readonly kernel: SparseKernelName,
    private readonly impl: WasmMembers | NativeMembers,
    private readonly d: number,
    private readonly sparseColumns: number,
  ) {}

  /**
   * The sparse path for these weights, or undefined where it does not apply: no hidden layer, or too few
   * fingerprint-like columns (mean 0 and std 1 in the scalers) to gain from gathering. The kernel is the one
   * chooseSparseKernel() names unless `choice` says otherwise.
   */
  static async create(
    weights: MemberWeights[],
    scalers: { xMean: Float32Array; xStd: Float32Array },
    choice: KernelChoice = chooseSparseKernel(),
  ): Promise<SparseMembers | undefined> {
    const first = weights[0];
    if (!first || first.length < 4) return undefined; // no hidden layer: the first layer is the output
    const d = scalers.xMean.length;
    const split = splitColumns(scalers.xMean, scalers.xStd);
    const sparseColumns = split.sparse.reduce((s, run) => s + run.end - run.start, 0);
    if (sparseColumns < MIN_SPARSE_COLUMNS) return undefined;
    const impl =
      choice.kernel === 'native' && choice.addon
        ? NativeMembers.create(choice.addon, weights, scalers)
        : await WasmMembers.create(weights, split, scalers);
    return new SparseMembers(impl instanceof NativeMembers ? 'native' : 'wasm', impl, d, sparseColumns);
  }

  /**
   * Each member's output for `rows` raw rows (row-major, d columns), or undefined when the rows are too dense in
   * the fingerprint block for gathering to pay (the caller then runs the dense network). `threads` is used by the
   * native kernel only (the wasm one is single-threaded: ./sparse-screen.ts shares rows with helper threads).
   */
  outputs(block: Float32Array, rows: number, threads = 1): Float32Array[] | undefined {
    const limit = MAX_DENSITY * rows * this.sparseColumns + rows * (this.d - this.sparseColumns);
    return this.impl instanceof NativeMembers
      ? this.impl.outputs(block, rows, limit, threads)
      : this.impl.outputs(block, rows, limit);
  }

  dispose(): void {
    this.impl.dispose();
  }
}
