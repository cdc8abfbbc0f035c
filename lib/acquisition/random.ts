/** Random: uniform without replacement, seeded; also every campaign's first batch, before any surrogate. */
import { sampleIndices } from '../random.js';
import type { ChoosingStrategy } from './strategy.js';

export const random: ChoosingStrategy = {
  description: 'uniform without replacement, seeded',
  needs: [],
  choose: ({ poolSize, batchSize, seed, exclude }) => sampleIndices(poolSize, batchSize, seed, exclude),
};
