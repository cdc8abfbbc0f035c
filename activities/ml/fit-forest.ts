/** Fits a quantile regression forest and screens the pool with it: the forest counterpart of trainAndPredict. */
import type { ScreenRequest } from './fit-and-screen.js';
import { QuantileForest } from './qrf/forest.js';
import type { TrainResult } from './trainer.js';

export async function fitForestAndPredict(req: Omit<ScreenRequest, 'transfer'>): Promise<TrainResult> {
  const forest = new QuantileForest({
    nEstimators: req.spec.forest.trees,
    minSamplesLeaf: req.spec.forest.minSamplesLeaf,
    maxFeatures: req.spec.forest.maxFeatures,
  });
  try {
    const fit = await forest.fit(req.x, req.nFeatures, req.y, { seed: req.seed, onProgress: req.onProgress });
    const t0 = performance.now();
    const { mean, std } = await forest.predict(req.pool, req.pool.length / req.nFeatures);
    return {
      mean,
      std,
      model: await forest.save(),
      description: forest.describe(),
      // the forest runs in plain TypeScript on worker threads, not on a TensorFlow backend
      backend: 'js-threads',
      fitSeconds: fit.seconds,
      predictSeconds: (performance.now() - t0) / 1000,
      trainLoss: fit.trainLoss,
    };
  } finally {
    forest.dispose();
  }
}
