/** Expected improvement over the best value observed so far (Jones et al. 1998), with a margin xi. */
import { score } from '../domain/objective.js';
import { DEFAULT_XI } from './defaults.js';
import { expectedImprovement } from './gaussian.js';
import type { RankingStrategy } from './strategy.js';

export const ei: RankingStrategy = {
  description: 'expected improvement over the best observed value (less xi), in the objective units',
  needs: ['mean', 'std', 'bestSoFar'],
  nonNegative: true,
  score: ({ mean, std, objective, bestSoFar, params }) => {
    const bar = score(objective, bestSoFar as number) + (params.xi ?? DEFAULT_XI);
    return (i) => expectedImprovement(score(objective, mean[i] as number) - bar, std[i] as number);
  },
};
