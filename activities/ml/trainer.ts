/**
 * trainAndPredict: fits the MLP ensemble and screens the pool in a worker thread, so the calling thread
 * (a Temporal worker that must keep heartbeating) stays responsive.
 *
 * The thread runs ./train-thread.js next to this file in compiled code (dist/), or ./train-thread.ts
 * through tsx when running from sources (tsx, vitest).
 */

import { Worker } from 'node:worker_threads';
import { isPacked, type PoolMatrix, rowCount } from '../../lib/surrogate/pool-rows.js';
import type { FitResult } from '../../lib/surrogate.js';
import type { EnsembleSpec } from './ensemble.js';
import { threadEntry } from './thread-entry.js';

export interface TrainRequest {
  /** Training features, row-major, n x nFeatures. */
  x: Float32Array;
  nFeatures: number;
  /** Training targets, n. */
  y: Float32Array;
  /** Pool features to predict, m x nFeatures: row-major, or bit-packed (lib/surrogate/pool-rows.ts). */
  pool: PoolMatrix;
  spec: EnsembleSpec;
  seed: number;
  /** Return each member's predictions of the pool too. */
  samples?: boolean;
  /** Fraction of training done (0..1], e.g. to heartbeat. */
  onProgress?: (fraction: number) => void;
  /** Lines the thread logs (which TF backend it picked); default console.info. */
  onLog?: (line: string) => void;
  /** Aborting terminates the thread and rejects. */
  signal?: AbortSignal;
  /**
   * Move x, y and pool to the thread instead of copying them (default true): fast, but the caller's
   * arrays are detached (empty) afterwards. Arrays that view part of a larger buffer are copied.
   */
  transfer?: boolean;
}

/** What the thread receives. */
export type ThreadRequest = Pick<
  TrainRequest,
  'x' | 'nFeatures' | 'y' | 'pool' | 'spec' | 'seed' | 'samples'
>;

/** What the thread sends back. */
export type ThreadMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'log'; line: string }
  | { type: 'result'; result: FitResult }
  | { type: 'error'; message: string; stack?: string };

export async function trainAndPredict(req: TrainRequest): Promise<FitResult> {
  const { x, nFeatures, y, pool, spec, seed, onProgress, signal } = req;
  const onLog = req.onLog ?? ((line: string) => console.info(line));
  if (!Number.isInteger(nFeatures) || nFeatures <= 0) throw new Error(`nFeatures must be a positive integer`);
  if (x.length !== y.length * nFeatures)
    throw new Error(`x has ${x.length} values, expected ${y.length} x ${nFeatures}`);
  if (!isPacked(pool) && pool.length % nFeatures !== 0)
    throw new Error(`pool has ${pool.length} values, not a multiple of ${nFeatures}`);
  rowCount(pool, nFeatures); // refuses packed rows of another width
  signal?.throwIfAborted();

  const transfer = req.transfer ?? true;
  const [xs, ys] = [x, y].map((a) => (transfer ? movable(a) : a)) as [Float32Array, Float32Array];
  const ps: PoolMatrix = !transfer
    ? pool
    : isPacked(pool)
      ? { ...pool, bits: movable(pool.bits), dense: movable(pool.dense) }
      : movable(pool);
  const message: ThreadRequest = {
    x: xs,
    nFeatures,
    y: ys,
    pool: ps,
    spec: pickSpec(spec),
    seed,
    ...(req.samples ? { samples: true } : {}),
  };
  const transferList = transfer
    ? uniqueBuffers(isPacked(ps) ? [xs, ys, ps.bits, ps.dense] : [xs, ys, ps])
    : [];

  return new Promise<FitResult>((resolve, reject) => {
    const worker = new Worker(entry.filename, entry.options);
    let settled = false;
    const finish = (err: Error | undefined, result?: FitResult) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(result as FitResult);
    };
    const onAbort = () =>
      finish(signal?.reason instanceof Error ? signal.reason : new Error('training was aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: ThreadMessage) => {
      if (msg.type === 'progress') onProgress?.(msg.fraction);
      else if (msg.type === 'log') onLog(msg.line);
      else if (msg.type === 'result') finish(undefined, msg.result);
      else finish(threadError(msg.message, msg.stack));
    });
    worker.on('error', (err) => finish(threadError(err.message, err.stack)));
    worker.on('exit', (code) =>
      finish(new Error(`the training thread exited (code ${code}) without a result`)),
    );
    worker.postMessage(message, transferList);
  });
}

const entry = threadEntry(
  new URL('./train-thread.js', import.meta.url),
  new URL('./train-thread.ts', import.meta.url),
);

function pickSpec(spec: EnsembleSpec): EnsembleSpec {
  const { ensembleSize, hiddenLayers, epochs, learningRate } = spec;
  return { ensembleSize, hiddenLayers: [...hiddenLayers], epochs, learningRate };
}

/** An array whose whole buffer can be transferred without taking anything else along. */
function movable<A extends Float32Array | Uint8Array>(a: A): A {
  const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
  return whole || a.buffer instanceof SharedArrayBuffer ? a : (a.slice() as A);
}

function uniqueBuffers(arrays: (Float32Array | Uint8Array)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

function threadError(message: string, stack?: string): Error {
  const err = new Error(message);
  if (stack)
    err.stack = `Error: ${message}\n    (in the training thread)\n${stack.split('\n').slice(1).join('\n')}`;
  return err;
}
