/**
 * The quantile regression forest (../qrf/forest.ts): trees built, and the pool predicted, on worker threads once
 * the work is large enough to pay for them (rows x trees >= 200k; below that it takes a fraction of a second
 * here). The mean predictions of its sub-forests (SUB_FORESTS of them) are joint draws for Thompson sampling.
 */

import { rowCount } from '../../../lib/surrogate/pool-rows.js';
import type { SurrogateEntry } from '../../../lib/surrogate.js';
import { forEachBlock } from '../pool-blocks.js';
import { QuantileForest } from '../qrf/forest.js';
import { closeThreads } from '../qrf/parallel.js';

/**
 * Pool rows x features from which the forest's idle threads are ended after the screen. An idle thread keeps the
 * last shared rows it read (its heap is not collected while it waits), so a worker screening a large pool every
 * round held one more 137 MB block each round (bench:scale at 1M: +131 MiB a round). Starting two threads again
 * costs ~0.2 s, nothing against such a screen; small pools keep their threads.
 */
const RELEASE_THREADS_FROM = 16 * 1024 * 1024;

/**
 * Sub-forests whose mean predictions are returned for Thompson sampling (each batch slot picks one at random),
 * 10 of 10 trees at the default 100 trees: as many draws as a batch needs, and as an ensemble has members
 * (forest.ts subForestDraws says why not single trees).
 */
export const SUB_FORESTS = 10;

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
      const rows = rowCount(req.pool, req.nFeatures);
      const mean = new Float32Array(rows);
      const std = new Float32Array(rows);
      let samples: Float32Array[] | undefined;
      // a packed pool is predicted a block of rows at a time (a dense one in one block)
      await forEachBlock(req.pool, req.nFeatures, async (x, start, n) => {
        const p = await forest.predict(x, n);
        mean.set(p.mean, start);
        std.set(p.std, start);
        if (!req.samples) return;
        const draws = await forest.subForestDraws(x, n, SUB_FORESTS);
        samples ??= draws.map(() => new Float32Array(rows));
        for (const [k, draw] of draws.entries()) samples[k]?.set(draw, start);
      });
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
      if (rowCount(req.pool, req.nFeatures) * req.nFeatures >= RELEASE_THREADS_FROM) await closeThreads();
    }
  },
};
