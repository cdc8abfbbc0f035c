/**
 * One request to a worker thread, one answer back: the thread posts `progress` messages while it works and ends
 * with `result` or `error`. Used for CPU-heavy ML that must not block the worker's event loop (heartbeats).
 */
import { Worker } from 'node:worker_threads';
import { threadEntry } from './thread-entry.js';

export type ThreadReply<R> =
  | { type: 'progress'; fraction: number }
  | { type: 'log'; line: string }
  | { type: 'result'; result: R }
  | { type: 'error'; message: string; stack?: string };

export interface ThreadCall {
  /** The thread's module: compiled .js next to the caller, else its .ts source (thread-entry.ts). */
  js: URL;
  ts: URL;
  onProgress?: (fraction: number) => void;
  onLog?: (line: string) => void;
  /** Buffers moved to the thread instead of copied. */
  transfer?: ArrayBuffer[];
}

export function runInThread<Q, R>(request: Q, call: ThreadCall): Promise<R> {
  const entry = threadEntry(call.js, call.ts);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(entry.filename, entry.options);
    let settled = false;
    const finish = (err: Error | undefined, result?: R) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (err) reject(err);
      else resolve(result as R);
    };
    worker.on('message', (msg: ThreadReply<R>) => {
      if (msg.type === 'progress') call.onProgress?.(msg.fraction);
      else if (msg.type === 'log') (call.onLog ?? console.info)(msg.line);
      else if (msg.type === 'result') finish(undefined, msg.result);
      else finish(inThread(msg.message, msg.stack));
    });
    worker.on('error', (err) => finish(inThread(err.message, err.stack)));
    worker.on('exit', (code) => finish(new Error(`the thread exited (code ${code}) without a result`)));
    worker.postMessage(request, call.transfer ?? []);
  });
}

function inThread(message: string, stack?: string): Error {
  const err = new Error(message);
  if (stack)
    err.stack = `Error: ${message}\n    (in a worker thread)\n${stack.split('\n').slice(1).join('\n')}`;
  return err;
}
