/** Uncertainty sampling: the largest predicted spread, whatever the objective's direction. */
import type { RankingStrategy } from './strategy.js';

export const uncertainty: RankingStrategy = {
  description: 'largest predicted std, whatever the direction',
  needs: ['std'],
  nonNegative: true,
  score:
    ({ std }) =>
    (i) =>
      std[i] as number,
};
