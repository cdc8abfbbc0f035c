/** Upper confidence bound: the objective's score of the mean plus kappa standard deviations (optimism). */
import { score } from '../domain/objective.js';
import type { RankingStrategy } from './strategy.js';

export const ucb: RankingStrategy = {
  description: 'optimistic bound: mean + kappa*std (mean - kappa*std when minimising)',
  needs: ['mean', 'std'],
  requires: ['kappa'],
  score: ({ mean, std, objective, params }) => {
    const kappa = params.kappa as number;
    return (i) => score(objective, mean[i] as number) + kappa * (std[i] as number);
  },
};
