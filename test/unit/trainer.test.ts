import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV, BACKENDS } from '../../activities/ml/backend.js';
import { MlpEnsemble } from '../../activities/ml/ensemble.js';
import { type TrainRequest, trainAndPredict } from '../../activities/ml/trainer.js';
import { mulberry32 } from '../../lib/random.js';

function request(
  n: number,
  poolSize: number,
  d: number,
  spec: TrainRequest['spec'],
): TrainRequest & { pool: Float32Array } {
  const rng = mulberry32(n * 31 + d);
  const x = new Float32Array(n * d).map(() => rng());
  const y = new Float32Array(n).map((_, i) => 2 * (x[i * d] as number) - (x[i * d + 1] as number));
  const pool = new Float32Array(poolSize * d).map(() => rng());
  return { x, nFeatures: d, y, pool, spec, seed: 3, onLog: () => {} };
}
const tiny = { ensembleSize: 2, hiddenLayers: [8], epochs: 3, learningRate: 1e-2 };

afterEach(() => {
  delete process.env[BACKEND_ENV];
});

describe('trainAndPredict', () => {
  it('trains in a worker thread and returns predictions for the whole pool and the model', async () => {
    const req = request(40, 300, 16, tiny);
    const pool = req.pool.slice();
    const logs: string[] = [];
    const result = await trainAndPredict({ ...req, onLog: (line) => logs.push(line) });
    expect(result.mean).toHaveLength(300);
    expect(result.std).toHaveLength(300);
    expect(result.std.every((s) => s > 0)).toBe(true);
    expect(BACKENDS).toContain(result.backend);
    expect(logs.at(-1)).toContain(result.backend);
    expect(result.fitSeconds).toBeGreaterThan(0);
    expect(result.predictSeconds).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(result.trainLoss)).toBe(true);
    expect(result.description).toMatchObject({
      members: 2,
      layers: [8],
      nFeatures: 16,
      trainedOn: 40,
      seed: 3,
    });
    expect(req.x).toHaveLength(0); // transferred, not copied

    const model = await MlpEnsemble.load(result.model);
    const again = await model.predict(pool, 300);
    model.dispose();
    const gap = again.mean.map((m, i) => Math.abs(m - (result.mean[i] as number)));
    expect(Math.max(...gap)).toBeLessThan(1e-4);
  });

  it('keeps the calling thread responsive while it trains', async () => {
    const req = request(400, 2000, 128, {
      ensembleSize: 3,
      hiddenLayers: [64, 64],
      epochs: 25,
      learningRate: 1e-3,
    });
    const fractions: number[] = [];
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 50);
    const t0 = performance.now();
    try {
      await trainAndPredict({ ...req, transfer: false, onProgress: (f) => fractions.push(f) });
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThan(500); // long enough to mean something
    expect(ticks).toBeGreaterThanOrEqual(Math.floor((elapsed / 50) * 0.6));
    expect(longestGap).toBeLessThan(250);
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.at(-1)).toBe(1);
    expect(req.x.length).toBe(400 * 128); // transfer: false leaves the caller's arrays alone
  });

  it('forwards errors from the thread as rejections', async () => {
    const req = request(10, 5, 4, tiny);
    req.y[3] = Number.NaN;
    await expect(trainAndPredict(req)).rejects.toThrow(/NaN or infinite/);
  });

  it('sends back each member’s predictions of the pool when asked', async () => {
    const result = await trainAndPredict({ ...request(10, 5, 4, tiny), samples: true });
    expect(result.samples).toHaveLength(tiny.ensembleSize);
    for (const s of result.samples ?? []) expect(s).toHaveLength(result.mean.length);
    const r = 0;
    const values = (result.samples ?? []).map((s) => s[r] as number);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(result.mean[r] as number, 4);
  });

  it('honours a forced backend, and refuses an unknown one', async () => {
    process.env[BACKEND_ENV] = 'cpu';
    const result = await trainAndPredict(request(10, 5, 4, tiny));
    expect(result.backend).toBe('cpu');
    process.env[BACKEND_ENV] = 'abacus';
    await expect(trainAndPredict(request(10, 5, 4, tiny))).rejects.toThrow(
      /CASCADE_TF_BACKEND=abacus is not one of/,
    );
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const req = request(200, 10, 64, {
      ensembleSize: 2,
      hiddenLayers: [64],
      epochs: 500,
      learningRate: 1e-3,
    });
    const running = trainAndPredict({
      ...req,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(running).rejects.toThrow(/abort/);
  });

  it('checks shapes before starting a thread', async () => {
    await expect(trainAndPredict({ ...request(10, 5, 4, tiny), nFeatures: 3 })).rejects.toThrow(
      /expected 10 x 3/,
    );
  });
});
