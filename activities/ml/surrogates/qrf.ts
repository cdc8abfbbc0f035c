/**
 * The quantile regression forest (../qrf/forest.ts): trees built, and the pool predicted, on worker threads once
 * the work is large enough to pay for them (rows x trees >= 200k; below that it takes a fraction of a second
 * here). Its trees' leaf means are joint draws for Thompson sampling.
 */
import type { SurrogateEntry } from '../../../lib/surrogate.js';
import { QuantileForest } from '../qrf/forest.js';

export const qrf: SurrogateEntry<'qrf'> = {
  kind: 'qrf',
  provides: { mean: true, std: true, samples: 'trees', quantiles: true },
  async fitAndPredict(req) {
    const { forest: settings } = req.spec;
    const forest = new QuantileForest({
      nEstimators: settings.trees,
      minSamplesLeaf: settings.minSamplesLeaf,
      maxFeatures: settings.maxFeatures,
    });
    try {
      const fit = await forest.fit(req.x, req.nFeatures, req.y, {
        seed: req.seed,
        onProgress: req.onProgress,
      });
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
  },
};
