/**
 * Runs forest fitting and prediction across worker threads. Fitting: thread k builds a contiguous
 * share of the trees (tree t is always seeded by childSeed(seed, t), so the forest does not depend on
 * the thread count); the training data travel in SharedArrayBuffers. Prediction: each thread takes a
 * chunk of rows; the forest travels in SharedArrayBuffers when it was built or loaded for threads
 * (otherwise it is copied once per thread).
 *
 * The thread runs ./thread.js next to this file in compiled code (dist/), or ./thread.ts through
 * tsx when running from sources (tsx, vitest), as activities/ml/trainer.ts does. Threads are reused
 * across calls (see `idle`).
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../thread-entry.js';
import type { ForestParams, PredictOut, TrainData, TreePack } from './core.js';
import { mergePacks } from './core.js';

export type QrfThreadRequest =
  | { type: 'build'; data: TrainData; params: ForestParams; first: number; count: number }
  | {
      type: 'predict';
      pack: TreePack;
      yByRank: Float64Array;
      x: Float32Array;
      d: number;
      from: number;
      to: number;
      qs: number[];
      stdFloor: number;
    };

export type QrfThreadMessage =
  | { type: 'progress'; trees: number }
  | { type: 'built'; pack: TreePack }
  | { type: 'predicted'; out: PredictOut }
  | { type: 'error'; message: string; stack?: string };

export async function buildInThreads(
  data: TrainData,
  params: ForestParams,
  threads: number,
  onProgress?: (fraction: number) => void,
): Promise<TreePack> {
  const T = params.nEstimators;
  let done = 0;
  const jobs = shares(T, threads).map(([first, count]) =>
    runThread({ type: 'build', data, params, first, count }, (msg) => {
      if (msg.type !== 'progress') return;
      done += msg.trees;
      onProgress?.(done / T);
    }).then((msg) => (msg as { pack: TreePack }).pack),
  );
  return mergePacks(await Promise.all(jobs), true);
}

export async function predictInThreads(
  pack: TreePack,
  yByRank: Float64Array,
  x: Float32Array,
  n: number,
  d: number,
  qs: number[],
  stdFloor: number,
  threads: number,
): Promise<PredictOut> {
  // rows go to the threads through shared memory too
  const xs = x.buffer instanceof SharedArrayBuffer ? x : copyShared(x);
  const parts = await Promise.all(
    shares(n, threads).map(([from, count]) =>
      runThread({ type: 'predict', pack, yByRank, x: xs, d, from, to: from + count, qs, stdFloor }).then(
        (msg) => (msg as { out: PredictOut }).out,
      ),
    ),
  );
  const nq = qs.length;
  const out: PredictOut = {
    mean: new Float32Array(n),
    std: new Float32Array(n),
    quantiles: new Float64Array(n * nq),
  };
  let row = 0;
  for (const p of parts) {
    out.mean.set(p.mean, row);
    out.std.set(p.std, row);
    out.quantiles.set(p.quantiles, row * nq);
    row += p.mean.length;
  }
  return out;
}

/** [first, count] pieces of 0..total-1, as even as possible, empty ones dropped. */
function shares(total: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const k = Math.min(parts, total);
  let first = 0;
  for (let p = 0; p < k; p++) {
    const count = Math.floor(total / k) + (p < total % k ? 1 : 0);
    out.push([first, count]);
    first += count;
  }
  return out;
}

function copyShared(x: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(x.byteLength));
  out.set(x);
  return out;
}

/**
 * Idle threads kept for the next call (starting one from TypeScript sources costs ~100 ms). They are
 * unref'd while idle, so they never keep the process alive, and at most availableParallelism() stay.
 */
const idle: Worker[] = [];

/** Runs one request on an idle (or new) thread; the thread goes back to the idle list afterwards. */
function runThread(
  req: QrfThreadRequest,
  onMessage?: (msg: QrfThreadMessage) => void,
): Promise<QrfThreadMessage> {
  return new Promise((resolve, reject) => {
    const worker = idle.pop() ?? startThread();
    worker.ref();
    let settled = false;
    const finish = (err: Error | undefined, msg?: QrfThreadMessage) => {
      if (settled) return;
      settled = true;
      worker.off('message', onMsg);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (err || idle.length >= availableParallelism()) void worker.terminate();
      else {
        worker.unref();
        idle.push(worker);
      }
      if (err) reject(err);
      else resolve(msg as QrfThreadMessage);
    };
    const onMsg = (msg: QrfThreadMessage) => {
      if (msg.type === 'progress') onMessage?.(msg);
      else if (msg.type === 'error') {
        const err = new Error(msg.message);
        if (msg.stack) err.stack = `${msg.stack}\n    (in a forest thread)`;
        finish(err);
      } else finish(undefined, msg);
    };
    const onError = (err: Error) => finish(err);
    const onExit = (code: number) => {
      finish(new Error(`a forest thread exited (code ${code}) without a result`));
    };
    worker.on('message', onMsg);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(req);
  });
}

function startThread(): Worker {
  const worker = new Worker(entry.filename, entry.options);
  worker.once('exit', () => {
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  return worker;
}

/** Ends the idle threads (they end by themselves when the process does; this is for tidy shutdowns). */
export async function closeThreads(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}

const entry = threadEntry(new URL('./thread.js', import.meta.url), new URL('./thread.ts', import.meta.url));
