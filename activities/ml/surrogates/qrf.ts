/**
 * The quantile regression forest (../qrf/forest.ts): trees built, and the pool predicted, on worker threads once
 * the work is large enough to pay for them (rows x trees >= 200k; below that it takes a fraction of a second
 * here). Its first trees' own predictions (TREE_DRAWS of them) are joint draws for Thompson sampling.
 */
import type { SurrogateEntry } from '../../../lib/surrogate.js';
import { QuantileForest } from '../qrf/forest.js';

/**
 * Trees whose predictions are returned for Thompson sampling (each batch slot picks one at random): enough
 * distinct draws for batches of tens, few enough that storing them stays a small multiple of the pool's
 * predictions.
 */
export const TREE_DRAWS = 32;

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
      const rows = req.pool.length / req.nFeatures;
      const { mean, std } = await forest.predict(req.pool, rows);
      const samples = req.samples ? await forest.treeDraws(req.pool, rows, TREE_DRAWS) : undefined;
      return {
        mean,
        std,
        ...(samples ? { samples } : {}),
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
