/** Probability of improvement: the chance a candidate beats the best value so far by more than xi. */
import { score } from '../domain/objective.js';
import { DEFAULT_XI } from './defaults.js';
import { probabilityAbove } from './gaussian.js';
import type { RankingStrategy } from './strategy.js';

export const pi: RankingStrategy = {
  description: 'probability of improving on the best so far by more than xi: Phi((mu - best - xi) / std)',
  needs: ['mean', 'std', 'bestSoFar'],
  nonNegative: true,
  score: ({ mean, std, objective, bestSoFar, params }) => {
    // the bar in score space: the best value's score plus the margin (minimising: below the best by xi)
    const bar = score(objective, bestSoFar as number) + (params.xi ?? DEFAULT_XI);
    return (i) => probabilityAbove(score(objective, mean[i] as number) - bar, std[i] as number);
  },
};
