/**
 * Acquisition: which pool candidates to evaluate next. The registry maps a strategy's name to its file; adding a
 * strategy is one file and one line here (the campaign schema's `acquisition.strategy` takes its names from
 * `strategyNames`). `acquire` is the one entry point: it checks that the context holds what the strategy
 * needs, ranks (by value per unit cost when cost-aware), excludes and cuts the batch, or picks a diverse one
 * from the top of the ranking. Before the first surrogate (no predictions) every strategy gets a seeded random
 * batch.
 */
import { DEFAULT_DIVERSITY } from './defaults.js';
import { diverseBatch, type Ranked, shortlistSize } from './diversity.js';
import { ei } from './ei.js';
import { epsilonGreedy } from './epsilon-greedy.js';
import { greedy } from './greedy.js';
import { ehvi, parego } from './multi-objective.js';
import { nei } from './nei.js';
import { pi } from './pi.js';
import { random } from './random.js';
import type { AcquisitionContext, Need, Predictions, RankingStrategy, Strategy } from './strategy.js';
import { thompson } from './thompson.js';
import { threshold } from './threshold.js';
import { topK } from './top-k.js';
import { ucb } from './ucb.js';
import { uncertainty } from './uncertainty.js';

export { DEFAULT_DIVERSITY, DEFAULT_EPSILON, DEFAULT_XI } from './defaults.js';
export { DIVERSITY_OVERSAMPLE, SHORTLIST_MAX } from './diversity.js';
export type {
  AcquisitionContext,
  AcquisitionParams,
  Choosing,
  ChoosingStrategy,
  MultiObjectiveInputs,
  Need,
  Predictions,
  RankingStrategy,
  Scoring,
  Strategy,
} from './strategy.js';

/** Every strategy by name, in the order the schema lists them. */
export const strategies = {
  ucb,
  greedy,
  uncertainty,
  random,
  pi,
  ei,
  nei,
  thompson,
  threshold,
  'epsilon-greedy': epsilonGreedy,
  ehvi,
  parego,
} satisfies Record<string, Strategy>;

export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as [StrategyName, ...StrategyName[]];

export type Registry = Readonly<Record<string, Strategy>>;

/** The strategies that weigh several objectives (a campaign with several must use one, and only then). */
export function multiObjectiveNames(registry: Registry = strategies): string[] {
  return Object.entries(registry)
    .filter(([, s]) => s.multiObjective)
    .map(([name]) => name);
}

/** Whether the strategy ranks candidates (so cost-awareness and diversity apply to it). */
export function isRanking(s: Strategy): s is RankingStrategy {
  return 'score' in s;
}

/**
 * Pool indices to evaluate next, best first, at most `batchSize`, never one in `exclude`. Ranking strategies'
 * ties go to the lower index and candidates with a non-finite score come last. `registry` is for tests and
 * experiments; campaigns use the built-in one.
 */
export function acquire(ctx: AcquisitionContext, registry: Registry = strategies): number[] {
  const strategy = checked(ctx, registry);
  if (ctx.batchSize <= 0) return [];

  // before a surrogate exists, a random batch gives it something to learn from
  const { predictions } = ctx;
  if (!predictions) {
    if (ctx.poolSize === undefined) throw new Error('acquire needs poolSize when there are no predictions');
    return random.choose({ ...ctx, poolSize: ctx.poolSize });
  }
  if (!isRanking(strategy)) return strategy.choose({ ...ctx, poolSize: predictions.mean.length });
  const lambda = ctx.diversity ?? DEFAULT_DIVERSITY;
  if (lambda === 0) return rank(strategy, ctx, predictions, ctx.batchSize).map((r) => r.i);
  if (!ctx.features) {
    throw new Error(`acquisition diversity ${lambda} needs the candidates' fingerprints (features)`);
  }
  const top = rank(strategy, ctx, predictions, shortlistSize(ctx.batchSize));
  return diverseBatch(top, ctx.features, ctx.batchSize, lambda);
}

/**
 * The pool indices a diverse batch is picked from (the top of the ranking), so a caller can fetch their
 * fingerprints before `acquire`; empty when the call does not need any (no diversity, no predictions, a
 * choosing strategy).
 */
export function shortlist(ctx: AcquisitionContext, registry: Registry = strategies): number[] {
  const strategy = checked(ctx, registry);
  const lambda = ctx.diversity ?? DEFAULT_DIVERSITY;
  if (ctx.batchSize <= 0 || lambda === 0 || !ctx.predictions || !isRanking(strategy)) return [];
  return rank(strategy, ctx, ctx.predictions, shortlistSize(ctx.batchSize)).map((r) => r.i);
}

/** The strategy, once the context is known to hold everything it and the call's options need. */
function checked(ctx: AcquisitionContext, registry: Registry): Strategy {
  const strategy = registry[ctx.strategy];
  if (!strategy) {
    throw new Error(
      `unknown acquisition strategy "${ctx.strategy}" (known: ${Object.keys(registry).join(', ')})`,
    );
  }
  const { predictions } = ctx;
  if (!predictions) return strategy; // the random first batch needs nothing more
  const n = predictions.mean.length;
  if (n !== predictions.std.length)
    throw new Error(`mean has ${n} entries but std has ${predictions.std.length}`);
  predictions.samples?.forEach((s, m) => {
    if (s.length !== n) throw new Error(`sample ${m} has ${s.length} entries but mean has ${n}`);
  });
  const missing = strategy.needs.filter((need) => !provided(need, ctx));
  if (missing.length > 0) {
    throw new Error(
      `acquisition strategy "${ctx.strategy}" needs ${missing.join(', ')}, which this campaign does not provide`,
    );
  }
  const unset = (strategy.requires ?? []).filter((p) => ctx.params?.[p] === undefined);
  if (unset.length > 0) {
    throw new Error(
      `acquisition strategy "${ctx.strategy}" needs ${unset.map((p) => `params.${p}`).join(', ')}`,
    );
  }
  const lambda = ctx.diversity ?? DEFAULT_DIVERSITY;
  if (!(lambda >= 0 && lambda <= 1))
    throw new Error(`acquisition diversity must lie in [0, 1], got ${lambda}`);
  if (lambda > 0 && !isRanking(strategy)) {
    throw new Error(
      `acquisition diversity applies to ranking strategies; "${ctx.strategy}" picks its own batch`,
    );
  }
  if (ctx.costAware) {
    if (!isRanking(strategy) || !strategy.nonNegative) {
      throw new Error(
        `cost-aware acquisition divides a non-negative value by the cost; "${ctx.strategy}" has none (use ${costAwareNames(registry).join(', ')})`,
      );
    }
    if (!ctx.cost) throw new Error('cost-aware acquisition needs the predicted cost of each candidate');
    if (ctx.cost.length !== n) throw new Error(`cost has ${ctx.cost.length} entries but mean has ${n}`);
  }
  return strategy;
}

/** Names of the strategies `costAware` accepts. */
export function costAwareNames(registry: Registry = strategies): string[] {
  return Object.entries(registry)
    .filter(([, s]) => isRanking(s) && s.nonNegative)
    .map(([name]) => name);
}

/**
 * The best `limit` candidates not excluded, best first (ties to the lower index, non-finite values last): a
 * partial selection (./top-k.ts), so a pool of a million costs one array of values, not a million objects sorted.
 */
function rank(
  strategy: RankingStrategy,
  ctx: AcquisitionContext,
  predictions: Predictions,
  limit: number,
): Ranked[] {
  const score = strategy.score({
    mean: predictions.mean,
    std: predictions.std,
    samples: predictions.samples,
    objective: ctx.objective,
    bestSoFar: ctx.bestSoFar,
    observed: ctx.observed,
    features: ctx.features,
    cost: ctx.cost,
    params: ctx.params ?? {},
    seed: ctx.seed,
  });
  const cost = ctx.costAware ? ctx.cost : undefined;
  const values = new Float64Array(predictions.mean.length);
  for (let i = 0; i < values.length; i++) {
    if (ctx.exclude.has(i)) continue;
    let v = score(i);
    const p = ctx.feasibility?.[i];
    if (p !== undefined) v = strategy.nonNegative ? v * p : p >= 0.5 ? v : Number.NEGATIVE_INFINITY;
    if (cost) {
      const c = cost[i] as number;
      if (!(Number.isFinite(c) && c > 0)) throw new Error(`candidate #${i} has a predicted cost of ${c}`);
      v /= c;
    }
    values[i] = Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  }
  return topK(values, limit, (i) => !ctx.exclude.has(i)).map((i) => ({ i, v: values[i] as number }));
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
    case 'observed':
      return ctx.observed !== undefined && ctx.observed.size > 0;
    case 'features':
      return ctx.features !== undefined;
    case 'cost':
      return ctx.cost !== undefined;
    case 'multi':
      return ctx.multi !== undefined && ctx.multi.objectives.length > 1;
  }
}
