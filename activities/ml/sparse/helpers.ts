/**
 * Helper threads for sparse screening: TF.js's wasm backend runs single-threaded in Node (no threaded build
 * there), and after the gather the 256 x 256 layer is ~75% of the time, so a second core is only used by a
 * second thread. Each helper holds its own copy of the weights and screens a share of every chunk while the
 * calling thread screens the rest; starting one costs ~0.5 s (TF.js and the kernel), so only large screens use
 * them.
 */
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../thread-entry.js';
import type { MemberWeights } from './sparse-members.js';

const entry = threadEntry(
  new URL('./helper-thread.js', import.meta.url),
  new URL('./helper-thread.ts', import.meta.url),
);

type Reply =
  | { type: 'ready' }
  | { type: 'outputs'; outputs: Float32Array[] | undefined }
  | { type: 'error'; message: string };

export class ScreenHelper {
  /** Replies come in the order of the requests (the thread handles one message at a time). */
  private readonly pending: { resolve: (r: Reply) => void; reject: (err: Error) => void }[] = [];

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Reply) => {
      const waiter = this.pending.shift();
      if (m.type === 'error') waiter?.reject(new Error(`sparse screening thread: ${m.message}`));
      else waiter?.resolve(m);
    });
    worker.on('error', (err) => {
      for (const waiter of this.pending.splice(0)) waiter.reject(err);
    });
  }

  static start(
    weights: MemberWeights[],
    scalers: { xMean: Float32Array; xStd: Float32Array },
  ): Promise<ScreenHelper> {
    const worker = new Worker(entry.filename, entry.options);
    worker.unref(); // an ensemble that is never disposed must not keep the process alive
    const helper = new ScreenHelper(worker);
    return helper
      .request({ type: 'init', weights, xMean: scalers.xMean, xStd: scalers.xStd })
      .then(() => helper)
      .catch((err: unknown) => {
        helper.dispose();
        throw err;
      });
  }

  /** Each member's outputs for these rows (copied to the thread), as SparseMembers.outputs. */
  async outputs(block: Float32Array, rows: number): Promise<Float32Array[] | undefined> {
    const copy = block.slice();
    const reply = await this.request({ type: 'rows', block: copy, rows }, [copy.buffer]);
    return reply.type === 'outputs' ? reply.outputs : undefined;
  }

  dispose(): void {
    void this.worker.terminate();
  }

  private request(message: object, transfer: ArrayBuffer[] = []): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }
}
