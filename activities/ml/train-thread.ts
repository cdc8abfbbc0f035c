/** Worker-thread side of trainAndPredict (trainer.ts): one request, one answer, then the thread ends. */
import { parentPort } from 'node:worker_threads';
import { rowCount } from '../../lib/surrogate/pool-rows.js';
import type { FitResult } from '../../lib/surrogate.js';
import { selectBackend } from './backend.js';
import { MlpEnsemble } from './ensemble.js';
import type { ThreadMessage, ThreadRequest } from './trainer.js';

const port = parentPort;
if (!port) throw new Error('train-thread.ts runs as a worker thread (see trainer.ts)');
const send = (msg: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

port.once('message', async (req: ThreadRequest) => {
  let model: MlpEnsemble | undefined;
  try {
    const backend = await selectBackend({ log: (line) => send({ type: 'log', line }) });
    model = new MlpEnsemble(req.spec);
    let lastSent = 0;
    const fit = await model.fit(req.x, req.nFeatures, req.y, {
      seed: req.seed,
      onProgress: (fraction) => {
        const now = performance.now();
        if (now - lastSent < 200 && fraction < 1) return; // enough for heartbeats
        lastSent = now;
        send({ type: 'progress', fraction });
      },
    });
    const t0 = performance.now();
    const { mean, std, samples } = await model.predict(req.pool, rowCount(req.pool, req.nFeatures), {
      members: req.samples === true,
    });
    const predictSeconds = (performance.now() - t0) / 1000;
    const bytes = await model.save();
    const result: FitResult = {
      mean,
      std,
      model: bytes,
      description: model.describe(),
      backend,
      fitSeconds: fit.seconds,
      predictSeconds,
      trainLoss: fit.trainLoss,
      ...(samples ? { samples } : {}),
    };
    send({ type: 'result', result }, [
      mean.buffer,
      std.buffer,
      bytes.buffer,
      ...(samples ?? []).map((s) => s.buffer),
    ] as ArrayBuffer[]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, stack: e.stack });
  } finally {
    model?.dispose();
  }
});
