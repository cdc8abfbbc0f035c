/**
 * Acquisition: which pool candidates to evaluate next. The registry maps a strategy's name to its file; adding a
 * strategy is one file and one line here (the campaign schema's `acquisition.strategy` takes its names from
 * `strategyNames`). `acquire` is the one entry point: it checks that the context holds what the strategy
 * needs, ranks, excludes and cuts the batch. Before the first surrogate (no predictions) every strategy gets a
 * seeded random batch.
 */
import { greedy } from './greedy.js';
import { random } from './random.js';
import type { AcquisitionContext, Need, Strategy } from './strategy.js';
import { ucb } from './ucb.js';
import { uncertainty } from './uncertainty.js';

export type {
  AcquisitionContext,
  AcquisitionParams,
  Choosing,
  ChoosingStrategy,
  Need,
  Predictions,
  RankingStrategy,
  Scoring,
  Strategy,
} from './strategy.js';

/** Every strategy by name, in the order the schema lists them. */
export const strategies = { ucb, greedy, uncertainty, random } satisfies Record<string, Strategy>;

export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as [StrategyName, ...StrategyName[]];

export type Registry = Readonly<Record<string, Strategy>>;

/**
 * Pool indices to evaluate next, best first, at most `batchSize`, never one in `exclude`. Ranking strategies'
 * ties go to the lower index and candidates with a non-finite score come last. `registry` is for tests and
 * experiments; campaigns use the built-in one.
 */
export function acquire(ctx: AcquisitionContext, registry: Registry = strategies): number[] {
  const strategy = registry[ctx.strategy];
  if (!strategy) {
    throw new Error(
      `unknown acquisition strategy "${ctx.strategy}" (known: ${Object.keys(registry).join(', ')})`,
    );
  }
  const { predictions, exclude, batchSize, seed } = ctx;
  if (predictions && predictions.mean.length !== predictions.std.length) {
    throw new Error(`mean has ${predictions.mean.length} entries but std has ${predictions.std.length}`);
  }
  if (batchSize <= 0) return [];

  // before a surrogate exists, a random batch gives it something to learn from
  if (!predictions) {
    if (ctx.poolSize === undefined) throw new Error('acquire needs poolSize when there are no predictions');
    return random.choose({ ...ctx, poolSize: ctx.poolSize });
  }
  const missing = strategy.needs.filter((n) => !provided(n, ctx));
  if (missing.length > 0) {
    throw new Error(
      `acquisition strategy "${ctx.strategy}" needs ${missing.join(', ')}, which this campaign does not provide`,
    );
  }
  if ('choose' in strategy) return strategy.choose({ ...ctx, poolSize: predictions.mean.length });
  const score = strategy.score({
    mean: predictions.mean,
    std: predictions.std,
    samples: predictions.samples,
    objective: ctx.objective,
    bestSoFar: ctx.bestSoFar,
    features: ctx.features,
    cost: ctx.cost,
    params: ctx.params ?? {},
    seed,
  });
  const ranked: { i: number; v: number }[] = [];
  for (let i = 0; i < predictions.mean.length; i++) {
    if (exclude.has(i)) continue;
    const v = score(i);
    ranked.push({ i, v: Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY });
  }
  ranked.sort((a, b) => b.v - a.v || a.i - b.i);
  return ranked.slice(0, batchSize).map((r) => r.i);
}

function provided(need: Need, ctx: AcquisitionContext): boolean {
  switch (need) {
    case 'mean':
    case 'std':
      return ctx.predictions !== undefined;
    case 'samples':
      return ctx.predictions?.samples !== undefined;
    case 'bestSoFar':
      return ctx.bestSoFar !== undefined;
    case 'features':
      return ctx.features !== undefined;
    case 'cost':
      return ctx.cost !== undefined;
  }
}
