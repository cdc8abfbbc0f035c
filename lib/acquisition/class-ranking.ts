/**
 * Acquisition for a class objective (lib/campaign/class-objective.ts): candidates are ranked by the class model's
 * probability of a hit, times the probability that they are feasible and that their calculations succeed (the
 * constraints' and the failure classifier's, where the campaign has them). The product is handed to the strategy
 * as a mean known exactly (std 0), to be maximised, so the strategies below rank by it and nothing else; batch
 * diversity still applies. Pure.
 */
import type { AcquisitionContext } from './strategy.js';

/**
 * The strategies a class objective may use: with a std of 0, `ucb` and `greedy` rank by the probability,
 * `epsilon-greedy` takes the next most probable hit or a random candidate, `random` ignores it.
 */
export const CLASS_STRATEGIES = ['ucb', 'greedy', 'epsilon-greedy', 'random'] as const;

/** The context with the class probabilities (`predictions.mean`) weighed by `feasibility`, which it consumes. */
export function classRanking(ctx: AcquisitionContext): AcquisitionContext {
  const { feasibility, predictions, ...rest } = ctx;
  if (!predictions) return ctx;
  const mean = Float64Array.from(predictions.mean, (p, i) => p * (feasibility?.[i] ?? 1));
  return {
    ...rest,
    predictions: { mean, std: new Float64Array(mean.length) },
    objective: { direction: 'maximize' },
  };
}
