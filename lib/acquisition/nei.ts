/**
 * Noise-aware expected improvement: EI whose incumbent is the best *predicted mean* among the candidates the
 * surrogate learned from (the "plug-in" incumbent), not the best observed value. A noisy measurement that came
 * out lucky sets the observed best too high and starves EI; the surrogate's mean at the same points averages
 * the noise out. BoTorch's qNoisyExpectedImprovement integrates over the joint posterior of those points; the
 * plug-in mean is its usual cheap approximation (one number, no joint samples, which cascade's surrogates do
 * not provide).
 */
import { score } from '../domain/objective.js';
import { DEFAULT_XI } from './defaults.js';
import { expectedImprovement } from './gaussian.js';
import type { RankingStrategy } from './strategy.js';

export const nei: RankingStrategy = {
  description:
    'expected improvement over the best predicted mean among the learned candidates (noise-aware EI)',
  needs: ['mean', 'std', 'observed'],
  nonNegative: true,
  score: ({ mean, std, objective, observed, params }) => {
    const bar = plugInIncumbent(mean, objective, observed as ReadonlySet<number>) + (params.xi ?? DEFAULT_XI);
    return (i) => expectedImprovement(score(objective, mean[i] as number) - bar, std[i] as number);
  },
};

/** The best score of the predicted mean over `observed` (pool indices outside the predictions are skipped). */
export function plugInIncumbent(
  mean: ArrayLike<number>,
  objective: Parameters<typeof score>[0],
  observed: ReadonlySet<number>,
): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const i of observed) {
    if (i < 0 || i >= mean.length) continue;
    best = Math.max(best, score(objective, mean[i] as number));
  }
  if (best === Number.NEGATIVE_INFINITY) {
    throw new Error('acquisition strategy "nei" needs a learned candidate with a finite predicted mean');
  }
  return best;
}
