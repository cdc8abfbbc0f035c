/**
 * The acquisition context of a campaign round, from its `acquisition` settings, its objective, the surrogate's
 * predictions and the results so far: one place for what acquireBatch (activities/campaign/acquire.ts) and
 * bench:al (bench/al/replay.ts) hand the strategies, so the benchmark chooses as a campaign does.
 */
import { type ObjectiveSpec, pickBest } from '../domain/objective.js';
import type { AcquisitionContext, Predictions } from './strategy.js';

/** The campaign schema's `acquisition` section, as far as the strategies read it. */
export interface AcquisitionSettings {
  strategy: string;
  kappa?: number;
  xi?: number;
  threshold?: number;
  epsilon?: number;
  diversity?: number;
  costAware?: boolean;
}

export interface RoundInputs {
  acquisition: AcquisitionSettings;
  objective: Pick<ObjectiveSpec, 'direction'>;
  predictions?: Predictions;
  poolSize: number;
  /** Every candidate evaluated so far (at any tier): never acquired again. */
  evaluated: Iterable<number>;
  /** The results the surrogate learned, on the scale it predicts (its label tier's, successful ones). */
  labelled: readonly { idx: number; value?: number }[];
  batchSize: number;
  seed: number;
  /** Predicted cost per candidate, asked for only when `costAware` is on and there are predictions. */
  cost?: () => ArrayLike<number> | undefined;
  features?: AcquisitionContext['features'];
}

export function roundContext(r: RoundInputs): AcquisitionContext {
  const { acquisition, predictions } = r;
  return {
    strategy: acquisition.strategy,
    predictions,
    poolSize: r.poolSize,
    exclude: new Set(r.evaluated),
    batchSize: r.batchSize,
    objective: r.objective,
    bestSoFar: pickBest(r.objective, r.labelled, (e) => e.value)?.value,
    observed: new Set(r.labelled.map((e) => e.idx)),
    // settings a campaign recorded before they existed are absent: the strategies' defaults apply
    params: {
      kappa: acquisition.kappa,
      xi: acquisition.xi,
      threshold: acquisition.threshold,
      epsilon: acquisition.epsilon,
    },
    diversity: acquisition.diversity,
    costAware: acquisition.costAware,
    cost: predictions && acquisition.costAware ? r.cost?.() : undefined,
    ...(r.features ? { features: r.features } : {}),
    seed: r.seed,
  };
}
