/**
 * Threshold: the probability that a candidate's value passes `threshold` (at least it when maximising, at most
 * it when minimising), for campaigns that want every candidate past a bar rather than the single best.
 */
import { reaches, score } from '../domain/objective.js';
import { probabilityAbove } from './gaussian.js';
import type { RankingStrategy } from './strategy.js';

export const threshold: RankingStrategy = {
  description: 'probability that the value passes acquisition.threshold: Phi((mu - threshold) / std)',
  needs: ['mean', 'std'],
  requires: ['threshold'],
  nonNegative: true,
  score: ({ mean, std, objective, params }) => {
    const t = params.threshold as number;
    const bar = score(objective, t);
    return (i) => {
      const m = mean[i] as number;
      const s = std[i] as number;
      // a certain prediction passes when it reaches the bar, equality included (as promotion thresholds do)
      if (s === 0) return reaches(objective, m, t) ? 1 : 0;
      return probabilityAbove(score(objective, m) - bar, s);
    };
  },
};
