/**
 * Sparse screening of an ensemble across threads. The native kernel runs its own threads inside each call; the
 * wasm one shares large screens with helper threads (./helpers.ts) that take pieces of every chunk.
 */
import { availableParallelism } from 'node:os';
import { ScreenHelper } from './helpers.js';
import { type MemberWeights, SparseMembers } from './sparse-members.js';

/** Screens smaller than this stay on one thread: a helper's ~0.5 s start would not pay for itself. */
export const HELPER_MIN_ROWS = 16_384;
/** Rows per piece of a chunk shared between threads (fewer would leave the matmuls less efficient). */
const PIECE_ROWS = 512;

export class SparseScreen {
  private helpers: Promise<ScreenHelper[]> | undefined;

  private constructor(
    private readonly local: SparseMembers,
    private readonly weights: MemberWeights[],
    private readonly scalers: { xMean: Float32Array; xStd: Float32Array },
  ) {}

  /** Undefined where the sparse path does not apply (see SparseMembers.create). */
  static async create(
    weights: MemberWeights[],
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ): Promise<SparseScreen | undefined> {
    const local = await SparseMembers.create(weights, scalers);
    return local && new SparseScreen(local, weights, scalers);
  }

  /**
   * For the wasm kernel, starts helper threads (once; one fewer than the cores, at most `max`) when a screen of
   * `rows` rows is large enough. A helper that fails to start is reported and done without.
   */
  async prepare(rows: number, max = availableParallelism() - 1): Promise<void> {
    if (this.helpers || this.local.kernel === 'native' || rows < HELPER_MIN_ROWS || max < 1) return;
    this.helpers = Promise.all(
      Array.from({ length: max }, () => ScreenHelper.start(this.weights, this.scalers)),
    ).catch((err: unknown) => {
      console.warn(`sparse screening stays on one thread: ${(err as Error).message}`);
      return [];
    });
    await this.helpers;
  }

  /**
   * Each member's outputs for `rows` raw rows (d columns), or undefined where the rows are too dense; on at
   * most 1 + `maxHelpers` threads. Native: the kernel's own threads, up to one per core. Wasm: the started
   * helpers; the rows are cut into pieces that this thread and the helpers take as each becomes free (two in
   * flight per helper), so a thread slowed by other work on the machine takes fewer: fixed halves ran slower
   * than one thread when the cores were busy.
   */
  async outputs(
    block: Float32Array,
    rows: number,
    d: number,
    maxHelpers = Number.POSITIVE_INFINITY,
  ): Promise<Float32Array[] | undefined> {
    if (this.local.kernel === 'native') {
      return this.local.outputs(block, rows, Math.max(1, Math.min(maxHelpers + 1, availableParallelism())));
    }
    const helpers = ((await this.helpers) ?? []).slice(0, maxHelpers);
    if (helpers.length === 0 || rows < 2 * PIECE_ROWS) return this.local.outputs(block, rows);
    const pieces = Array.from({ length: Math.ceil(rows / PIECE_ROWS) }, (_, i) => i);
    const results: (Float32Array[] | undefined)[] = [];
    let tooDense = false;
    const rowsOf = (i: number) => [i * PIECE_ROWS, Math.min(rows, (i + 1) * PIECE_ROWS)] as const;
    const lane = async (helper: ScreenHelper) => {
      for (let i = pieces.shift(); i !== undefined && !tooDense; i = pieces.shift()) {
        const [start, end] = rowsOf(i);
        results[i] = await helper.outputs(block.subarray(start * d, end * d), end - start);
        tooDense ||= !results[i];
      }
    };
    const lanes = helpers.flatMap((helper) => [lane(helper), lane(helper)]);
    for (let i = pieces.shift(); i !== undefined && !tooDense; i = pieces.shift()) {
      const [start, end] = rowsOf(i);
      results[i] = this.local.outputs(block.subarray(start * d, end * d), end - start);
      tooDense ||= !results[i];
      await new Promise((resolve) => setImmediate(resolve)); // lets finished helpers take the next piece
    }
    await Promise.all(lanes);
    if (tooDense) return undefined;
    return (results[0] as Float32Array[]).map((_, m) => {
      const all = new Float32Array(rows);
      for (const [i, piece] of results.entries()) {
        all.set((piece as Float32Array[])[m] as Float32Array, i * PIECE_ROWS);
      }
      return all;
    });
  }

  dispose(): void {
    this.local.dispose();
    void this.helpers?.then((helpers) => {
      for (const h of helpers) h.dispose();
    });
  }
}
