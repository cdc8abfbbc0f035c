/** Greedy: the best predicted mean, in the objective's direction. */
import { score } from '../domain/objective.js';
import type { RankingStrategy } from './strategy.js';

export const greedy: RankingStrategy = {
  description: 'best predicted mean',
  needs: ['mean'],
  score:
    ({ mean, objective }) =>
    (i) =>
      score(objective, mean[i] as number),
};
