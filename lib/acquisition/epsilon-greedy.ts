/**
 * Epsilon-greedy: each slot is, with probability epsilon, a candidate drawn uniformly from those not evaluated
 * nor chosen yet, and otherwise the next best by predicted mean. Seeded: the same seed, the same batch. A little
 * blind exploration keeps a greedy campaign from circling one region of the pool forever.
 */
import { score } from '../domain/objective.js';
import { mulberry32, randomInt } from '../random.js';
import { DEFAULT_EPSILON } from './defaults.js';
import type { ChoosingStrategy } from './strategy.js';
import { topK } from './top-k.js';

export const epsilonGreedy: ChoosingStrategy = {
  description: 'each slot random with probability epsilon, else the next best predicted mean',
  needs: ['mean'],
  choose: ({ predictions, poolSize, exclude, batchSize, objective, params, seed }) => {
    const mean = predictions?.mean as ArrayLike<number>;
    const epsilon = params?.epsilon ?? DEFAULT_EPSILON;
    const open: number[] = [];
    for (let i = 0; i < poolSize; i++) if (!exclude.has(i)) open.push(i);
    // best mean first, ties to the lower index; non-finite means last (score gives -Infinity, NaN sorts as it).
    // Greedy slots take at most batchSize of these and random slots take at most batchSize more before them, so
    // the best 2 x batchSize are all the order a batch can reach (./top-k.ts: no full sort of the pool)
    const value = new Float64Array(poolSize);
    for (const i of open) {
      const s = score(objective, mean[i] as number);
      value[i] = Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s;
    }
    const greedyOrder = topK(value, 2 * batchSize, (i) => !exclude.has(i));

    // `open` doubles as the unchosen set for uniform draws: a chosen candidate is swapped out of its front part
    const position = new Int32Array(poolSize).fill(-1);
    open.forEach((i, p) => {
      position[i] = p;
    });
    let left = open.length;
    const take = (i: number) => {
      const p = position[i] as number;
      const last = open[left - 1] as number;
      open[p] = last;
      position[last] = p;
      open[left - 1] = i;
      position[i] = left - 1;
      left--;
    };

    const rng = mulberry32(seed);
    const batch: number[] = [];
    let next = 0; // into greedyOrder
    while (batch.length < batchSize && left > 0) {
      let pick: number;
      if (rng() < epsilon) {
        pick = open[randomInt(rng, left)] as number;
      } else {
        while ((position[greedyOrder[next] as number] as number) >= left) next++;
        pick = greedyOrder[next] as number;
      }
      take(pick);
      batch.push(pick);
    }
    return batch;
  },
};
