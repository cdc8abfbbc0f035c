/**
 * What an acquisition strategy is: a name in the registry, the inputs it needs, and either a score per
 * candidate (larger is better; `acquire` ranks, excludes and cuts the batch) or, for a strategy that does not
 * rank, the batch itself. Pure: strategies see numbers, never the store.
 */
import type { ObjectiveSpec } from '../domain/objective.js';
import type { ParetoObjective } from '../domain/pareto.js';
import type { MultiPredictions } from './ehvi.js';

/** Inputs a strategy may need beyond the context every strategy gets (objective, exclude, batch size, seed). */
export type Need = 'mean' | 'std' | 'samples' | 'bestSoFar' | 'observed' | 'features' | 'cost' | 'multi';

/** What the multi-objective strategies weigh: every objective's predictions and what has been observed. */
export interface MultiObjectiveInputs {
  objectives: readonly ParetoObjective[];
  /** `mean[k][i]`, `std[k][i]`: objective k, pool index i, in the objective's units (std 0 where known exactly). */
  predictions: MultiPredictions;
  /** The values evaluated so far (feasible ones), one row per candidate, one column per objective. */
  observed: readonly (readonly number[])[];
}

/** The surrogate's predictions for every candidate of the pool, indexed by pool index. */
export interface Predictions {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  /** Draws from the predictive distribution (say, one per ensemble member), each indexed by pool index. */
  samples?: readonly ArrayLike<number>[];
}

/** Strategy settings from the campaign's `acquisition` section (kappa for UCB, xi for EI, ...). */
export type AcquisitionParams = Readonly<Record<string, number | undefined>>;

/** Everything any strategy may need; a call fills in what its strategy declares. */
export interface AcquisitionContext {
  /** A name in the registry (`strategyNames`). */
  strategy: string;
  /** Absent before the first surrogate: the batch is then drawn at random, whatever the strategy. */
  predictions?: Predictions;
  /** Candidates in the pool; needed when there are no predictions (else it is their length). */
  poolSize?: number;
  /** Pool indices already evaluated (or otherwise off limits). */
  exclude: ReadonlySet<number>;
  batchSize: number;
  objective: Pick<ObjectiveSpec, 'direction'>;
  /** The objective value of the best candidate evaluated so far. */
  bestSoFar?: number;
  /** Pool indices whose value the surrogate learned (its training candidates), for a plug-in incumbent. */
  observed?: ReadonlySet<number>;
  /**
   * A candidate's fingerprint, for batch diversity: non-zero entries are on bits. Asked only for the candidates
   * of the shortlist (`shortlist(ctx)`), so a caller may fetch just those.
   */
  features?: (idx: number) => ArrayLike<number>;
  /** Predicted cost of evaluating each candidate (CPU seconds, say), indexed by pool index; positive. */
  cost?: ArrayLike<number>;
  params?: AcquisitionParams;
  /** Rank by value per unit of predicted `cost` (ranking strategies whose values are non-negative). */
  costAware?: boolean;
  /** 0..1: how much score the batch trades for fingerprint diversity (0, or absent: plain top-k). */
  diversity?: number;
  /** Several objectives (strategies ehvi and parego). */
  multi?: MultiObjectiveInputs;
  /**
   * The probability that each candidate meets the campaign's constraints (lib/acquisition/feasibility.ts),
   * indexed by pool index: it weights non-negative values and the multi-objective ones; other ranking
   * strategies put the candidates more likely infeasible than not after every other.
   */
  feasibility?: ArrayLike<number>;
  /** For strategies that draw at random. */
  seed: number;
}

/** What a ranking strategy scores from: the context with the predictions spread out. */
export interface Scoring {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  samples?: readonly ArrayLike<number>[];
  objective: Pick<ObjectiveSpec, 'direction'>;
  bestSoFar?: number;
  observed?: ReadonlySet<number>;
  features?: (idx: number) => ArrayLike<number>;
  cost?: ArrayLike<number>;
  params: AcquisitionParams;
  seed: number;
}

/** What a choosing strategy picks from: the whole context, with the pool's size. */
export interface Choosing extends AcquisitionContext {
  poolSize: number;
}

interface Declared {
  /** One line for `--help`-style listings and error messages. */
  description: string;
  /** Checked by `acquire` before the strategy runs: a strategy is never called without what it declares. */
  needs: readonly Need[];
  /**
   * Params without a default that it cannot run without (threshold's `threshold`): the campaign schema refuses
   * a file that leaves one out, and `acquire` a call.
   */
  requires?: readonly string[];
  /** It weighs several objectives (and needs them); the others follow the first objective alone. */
  multiObjective?: boolean;
}

/** Ranks candidates by a score where larger is better (the objective's sign already applied). */
export interface RankingStrategy extends Declared {
  score: (s: Scoring) => (idx: number) => number;
  /**
   * Its values are never negative (an improvement, a probability, a spread), so a value divided by a cost is
   * value per unit cost: only these may be cost-aware (a UCB bound of -3 divided by a cost would favour the
   * expensive candidates).
   */
  nonNegative?: boolean;
}

/** Picks the batch itself (it does not rank). */
export interface ChoosingStrategy extends Declared {
  choose: (c: Choosing) => number[];
}

export type Strategy = RankingStrategy | ChoosingStrategy;
