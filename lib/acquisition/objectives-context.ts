/**
 * What several objectives and constraints add to a round's acquisition context, from predictions and results
 * already in hand: one place for what acquireBatch (activities/campaign/acquire.ts, which reads them from the
 * store) and bench:al (bench/al/replay.ts) hand the strategies, so the benchmark chooses as a campaign does.
 * Pure.
 */
import { constraintsOf, objectivesOf, observedRows, paretoObjectives } from '../campaign/objectives.js';
import type { CampaignConfig } from '../campaign/schema.js';
import type { PropertyValues } from '../domain/objective.js';
import { feasibility, type PropertyPrediction } from './feasibility.js';
import type { AcquisitionContext } from './strategy.js';

/** The SA score: known exactly for every molecule, never predicted. */
const SA_SCORE = 'saScore';

export type ObjectivesConfig = Pick<CampaignConfig, 'objective'> &
  Partial<Pick<CampaignConfig, 'objectives' | 'constraints'>>;

export interface ObjectivesInputs {
  config: ObjectivesConfig;
  poolSize: number;
  /**
   * Each property of `predictedProperties(config)` over the pool: the first objective's from the campaign's
   * surrogate, any other from its own surrogate (or an uninformed prior before it has one).
   */
  predictions: Readonly<Record<string, PropertyPrediction>>;
  /** Each molecule's SA score by pool index (NaN where unknown), when an objective or a constraint names it. */
  saScores?: ArrayLike<number>;
  /** The successful results at the surrogate's label tier (every result before it has one). */
  observed: readonly { idx: number; values?: PropertyValues }[];
  /** The failure classifier's probability that each candidate's calculations succeed, once it has trained. */
  success?: ArrayLike<number>;
}

/** The properties whose predictions `objectivesContext` reads: every objective and constraint but the SA score. */
export function predictedProperties(config: ObjectivesConfig): string[] {
  const out: string[] = [];
  for (const o of [...objectivesOf(config), ...constraintsOf(config)]) {
    if (o.property !== SA_SCORE && !out.includes(o.property)) out.push(o.property);
  }
  return out;
}

/**
 * `multi` (each objective's predictions and the feasible values observed) when there are several objectives,
 * and `feasibility` (each candidate's probability of meeting the constraints, times the classifier's chance of
 * success) when there are constraints, else the classifier's chance alone when it has one.
 */
export function objectivesContext(i: ObjectivesInputs): Pick<AcquisitionContext, 'multi' | 'feasibility'> {
  const { config, poolSize, saScores } = i;
  const predicted = (property: string): PropertyPrediction => {
    if (property === SA_SCORE) {
      if (!saScores)
        throw new Error('an objective or constraint names saScore but the pool has no SA scores');
      return { mean: saScores, std: new Float64Array(poolSize) };
    }
    const p = i.predictions[property];
    if (!p) throw new Error(`no prediction of ${property} for the acquisition`);
    return p;
  };
  const out: Pick<AcquisitionContext, 'multi' | 'feasibility'> = i.success ? { feasibility: i.success } : {};
  const bounds = constraintsOf(config);
  if (bounds.length > 0) {
    const p = feasibility(bounds, predicted, poolSize);
    // times the failure classifier's chance that the calculations succeed, where one was trained
    if (i.success) for (let k = 0; k < poolSize; k++) p[k] = (p[k] as number) * (i.success[k] as number);
    out.feasibility = p;
  }
  const objectives = objectivesOf(config);
  if (objectives.length > 1) {
    const columns = objectives.map((o) => predicted(o.property));
    out.multi = {
      objectives: paretoObjectives(config),
      predictions: { mean: columns.map((c) => c.mean), std: columns.map((c) => c.std) },
      observed: observedRows(
        config,
        i.observed.map((e) => ({ values: withSaScore(e, saScores) })),
      ),
    };
  }
  return out;
}

/** A result's values with the molecule's SA score beside the tier's, where it is known. */
function withSaScore(e: { idx: number; values?: PropertyValues }, sa: ArrayLike<number> | undefined) {
  const s = sa?.[e.idx];
  return s === undefined || Number.isNaN(s) ? { ...e.values } : { ...e.values, [SA_SCORE]: s };
}
