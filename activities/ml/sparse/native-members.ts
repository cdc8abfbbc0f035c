/**
 * The native path for an ensemble's members: the addon (./native.ts) holds the weights, laid out once per model,
 * and runs the whole forward pass of every member on `threads` threads of its own.
 */

import type { MemberWeights } from './member-weights.js';
import type { NativeModel, ScreenAddon } from './native.js';

export class NativeMembers {
  private model: NativeModel | undefined;

  private constructor(
    private readonly addon: ScreenAddon,
    model: NativeModel,
    private readonly members: number,
  ) {
    this.model = model;
  }

  /** For weights with a hidden layer and one output unit (the addon checks the shapes and throws otherwise). */
  static create(
    addon: ScreenAddon,
    weights: MemberWeights[],
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ): NativeMembers {
    const first = weights[0] ?? [];
    const units = Int32Array.from(
      first.filter((_, i) => i % 2 === 0),
      (k) => k.shape[1] as number,
    );
    const model = addon.createModel(
      scalers.xMean.length,
      weights.length,
      units,
      scalers.xMean,
      scalers.xStd,
      weights.flatMap((member) => member.map((w) => w.values)),
    );
    return new NativeMembers(addon, model, weights.length);
  }

  /** Each member's output for `rows` raw rows, or undefined when they hold more than maxNonzeros entries. */
  outputs(
    block: Float32Array,
    rows: number,
    maxNonzeros: number,
    threads: number,
  ): Float32Array[] | undefined {
    if (!this.model) throw new Error('the native screening model was disposed');
    const out = new Float32Array(this.members * rows);
    if (!this.addon.forward(this.model, block, rows, maxNonzeros, threads, out)) return undefined;
    return Array.from({ length: this.members }, (_, k) => out.subarray(k * rows, (k + 1) * rows));
  }

  dispose(): void {
    if (this.model) this.addon.release(this.model);
    this.model = undefined;
  }
}
