/** Worker-thread side of fitFailureClassifier (failures.ts): cross-validation, the two final fits, the pool. */
import { parentPort } from 'node:worker_threads';
import { classifierScores, stratifiedFolds } from '../../../lib/classification-metrics.js';
import { childSeed, mulberry32, shuffle } from '../../../lib/random.js';
import { isPacked, rowCount, unpackRows } from '../../../lib/surrogate/pool-rows.js';
import type { ThreadReply } from '../run-thread.js';
import { LatentBinaryClassifier } from './classifier.js';
import { collapseMetrics } from './collapse.js';
import type { FailureFigures, FailureJob, FailureResult } from './failures.js';

/** Rows per gradient step. */
const SMALL_BATCH = 16;
/** Pool rows predicted at once: a million-candidate pool is never one dense matrix (or one tensor). */
const SCREEN_ROWS = 8192;

const port = parentPort;
if (!port) throw new Error('failures-thread.ts runs as a worker thread (see failures.ts)');
const send = (msg: ThreadReply<FailureResult>, transfer: ArrayBuffer[] = []) =>
  port.postMessage(msg, transfer);

port.once('message', async (job: FailureJob) => {
  try {
    const { result, transfer } = await run(job);
    send({ type: 'result', result }, transfer);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, stack: e.stack });
  }
});

async function run(job: FailureJob): Promise<{ result: FailureResult; transfer: ArrayBuffer[] }> {
  const n = job.labels.length;
  const f = job.nFeatures;
  const fits = 2 * (job.folds + 1);
  let done = 0;
  const step = () => send({ type: 'progress', fraction: ++done / fits });
  // folds over a seeded shuffle, stratified so each fold sees both outcomes
  const order = Array.from({ length: n }, (_, i) => i);
  shuffle(order, mulberry32(childSeed(job.seed, 7)));
  const foldOf = new Int32Array(n);
  const dealt = stratifiedFolds(
    order.map((i) => job.labels[i] as number),
    job.folds,
  );
  order.forEach((i, r) => {
    foldOf[i] = dealt[r] as number;
  });
  const rows = (pick: (i: number) => boolean) => {
    const idx = order.filter(pick).sort((a, b) => a - b);
    const x = new Float32Array(idx.length * f);
    idx.forEach((i, r) => {
      x.set(job.x.subarray(i * f, (i + 1) * f), r * f);
    });
    return { idx, x, y: Int32Array.from(idx, (i) => job.labels[i] as number) };
  };
  const train = async (x: Float32Array, y: Int32Array, lambda: number) => {
    const model = new LatentBinaryClassifier();
    await model.fit(x, f, y, {
      classes: 2,
      lambda,
      epochs: job.epochs,
      seed: job.seed,
      hiddenLayers: job.hiddenLayers,
      latentDim: job.latentDim,
      // a campaign has tens to hundreds of labelled candidates: small batches give the fit enough steps
      batchSize: SMALL_BATCH,
    });
    step();
    return model;
  };
  const success = (probs: Float32Array) =>
    Float32Array.from({ length: probs.length / 2 }, (_, i) => probs[2 * i + 1] as number);

  const figures = async (
    lambda: number,
  ): Promise<{ figures: FailureFigures; model: LatentBinaryClassifier }> => {
    const p = new Float64Array(n);
    for (let k = 0; k < job.folds; k++) {
      const trainRows = rows((i) => foldOf[i] !== k);
      const test = rows((i) => foldOf[i] === k);
      if (test.idx.length === 0) continue;
      const model = await train(trainRows.x, trainRows.y, lambda);
      const predicted = success((await model.predict(test.x, test.idx.length)).probs);
      test.idx.forEach((i, r) => {
        p[i] = predicted[r] as number;
      });
      model.dispose();
    }
    const model = await train(job.x, job.labels, lambda);
    const { z } = await model.predict(job.x, n);
    const c = collapseMetrics(z, job.latentDim, job.labels);
    return {
      figures: {
        cv: classifierScores(p, job.labels),
        collapse: {
          nc1: c.nc1,
          equinormCV: c.equinormCV,
          cosineMean: c.cosineMean,
          meanBinarity: c.meanBinarity,
        },
      },
      model,
    };
  };

  const unpenalised = await figures(0);
  unpenalised.model.dispose();
  const penalised = await figures(job.lambda);
  const m = rowCount(job.pool, f);
  const pool = new Float32Array(m);
  const block = isPacked(job.pool) ? new Float32Array(Math.min(SCREEN_ROWS, m) * f) : undefined;
  for (let start = 0; start < m; start += SCREEN_ROWS) {
    const rows = Math.min(SCREEN_ROWS, m - start);
    const x = isPacked(job.pool)
      ? unpackRows(job.pool, start, rows, block).subarray(0, rows * f)
      : job.pool.subarray(start * f, (start + rows) * f);
    pool.set(success((await penalised.model.predict(x, rows)).probs), start);
  }
  const bytes = await penalised.model.save();
  const description = penalised.model.describe();
  penalised.model.dispose();
  return {
    result: {
      success: pool,
      model: bytes,
      description,
      penalised: penalised.figures,
      unpenalised: unpenalised.figures,
    },
    transfer: [pool.buffer, bytes.buffer] as ArrayBuffer[],
  };
}
