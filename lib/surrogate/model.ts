/**
 * What the results store keeps about a trained surrogate besides its weights: its description (what it learned,
 * from what, with which settings) and its metrics (figures from fitting it, and from testing its predecessor on
 * the batch that predecessor chose). Typed, with readers that accept every row earlier versions wrote, so nobody
 * reads these back with Number(...). Pure.
 */
import { z } from 'zod';
import { Surrogate, type SurrogateConfig } from '../campaign/schema.js';
import { FAILURE_CLASSIFIER, isSurrogateKind, type SurrogateKind, surrogateKinds } from './kinds.js';

export interface ModelDescription {
  /** A surrogate's kind, or the failure classifier's. */
  kind: SurrogateKind | typeof FAILURE_CLASSIFIER;
  /** The campaign's surrogate settings it was trained with. */
  settings: SurrogateConfig;
  /**
   * How it learned: direct (labelTier's values) or delta (labelTier minus baseTier, added to baseTier's measured or
   * predicted value). A delta campaign learns directly until both tiers have enough results.
   */
  fidelity: 'direct' | 'delta';
  /** The tier whose results it learned; absent in rows written before models recorded it. */
  labelTier?: string;
  /** delta: the tier below labelTier. */
  baseTier?: string;
  /** Results it learned from (delta: candidates computed at both tiers). */
  trainedOn: number;
  /** delta: the base surrogate's results (every result at baseTier). */
  baseTrainedOn?: number;
  nFeatures: number;
  /** direct in a delta campaign: why it did not learn the delta yet. */
  fidelityNote?: string;
  /** Where it computed, e.g. 'wasm', 'tfjs-node', 'js-threads'. */
  backend: string;
  /** The property it predicts when not the campaign's (first) objective: a later objective or a constraint's. */
  property?: string;
}

const figure = z.number().optional().catch(undefined);

/** Every figure is optional: a model records those that apply to it. */
export const ModelMetrics = z.object({
  trainLoss: figure.describe('Mean squared error on the standardised target, at the end of fitting'),
  baseTrainLoss: figure.describe('delta: trainLoss of the base surrogate'),
  baseTrainedOn: figure.describe('delta: results the base surrogate learned from'),
  fitSeconds: figure.describe('Wall time of the final fit(s), recalibration folds not included'),
  predictSeconds: figure.describe('Wall time of screening the pool'),
  meanStd: figure.describe('Mean predicted std over the pool (after recalibration)'),
  stdScale: figure.describe('recalibrate: the factor every predicted std was multiplied by'),
  heldOutCoverage90: figure.describe('recalibrate: coverage of held-out 90% intervals before scaling'),
  recalibrationFolds: figure.describe('recalibrate: cross-validation folds'),
  recalibrationPoints: figure.describe('recalibrate: held-out predictions the scale was chosen on'),
  baseStdScale: figure.describe('delta, recalibrate: stdScale of the base surrogate'),
  baseHeldOutCoverage90: figure.describe('delta, recalibrate: heldOutCoverage90 of the base surrogate'),
  lastN: figure.describe('The previous model tested on the batch it chose, before seeing it: results'),
  lastMae: figure.describe('... mean absolute error'),
  lastRmse: figure.describe('... root mean squared error'),
  lastR2: figure.describe('... R²'),
  lastSpearman: figure.describe('... Spearman rank correlation'),
  lastNll: figure.describe('... mean Gaussian negative log-likelihood'),
  lastCoverage90: figure.describe('... coverage of its 90% intervals'),
  lastMiscalibrationArea: figure.describe('... miscalibration area'),
  // the failure classifier (`classifier:`): cross-validated on the campaign's results, with the exp(z^2) penalty
  // and, as `plain*`, the same network without it
  failures: figure.describe('failure classifier: candidates whose calculations failed, of trainedOn'),
  // a class objective's model (objective: {property, above}) is the same network, with the same figures
  inClass: figure.describe('class objective: labelled candidates in the class (hits), of trainedOn'),
  accuracy: figure.describe('failure classifier: cross-validated accuracy at p = 0.5'),
  brier: figure.describe('... Brier score (mean squared error of the probability)'),
  logLoss: figure.describe('... log loss'),
  ece: figure.describe('... expected calibration error, 10 bins'),
  nc1: figure.describe('... NC1 of the latent code on the training set (within- over between-class spread)'),
  meanBinarity: figure.describe('... mean binarity of the latent dimensions (1: two levels exactly)'),
  plainAccuracy: figure.describe('the same network without the penalty: accuracy'),
  plainBrier: figure.describe('... Brier score'),
  plainLogLoss: figure.describe('... log loss'),
  plainEce: figure.describe('... expected calibration error'),
  plainNc1: figure.describe('... NC1'),
  plainMeanBinarity: figure.describe('... mean binarity'),
});
export type ModelMetrics = z.output<typeof ModelMetrics>;

/** A stored metrics object: the known figures that are numbers (JSON keeps NaN as null: dropped). */
export function modelMetricsFrom(json: unknown): ModelMetrics {
  const parsed = ModelMetrics.safeParse(json);
  if (!parsed.success) return {};
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as ModelMetrics;
}

/**
 * A stored description. Rows written before descriptions nested their settings kept them at the top level, where
 * `fidelity` was overwritten by the mode used; rows before Delta-learning have no fidelity, older ones no labelTier.
 * `columns`: what the store keeps beside the description (its kind and backend columns), for rows that lack them.
 * A settings field that no longer parses takes its default. Throws only on a kind this version does not know.
 */
export function modelDescriptionFrom(
  json: unknown,
  columns: { kind?: string; backend?: string } = {},
): ModelDescription {
  const row = isRecord(json) ? json : {};
  const fidelity = row.fidelity === 'delta' ? 'delta' : 'direct';
  const fidelityNote = text(row.fidelityNote);
  const settings = settingsFrom(
    isRecord(row.settings)
      ? row.settings
      : // flat: the campaign chose delta if this model learned one, or says why it did not
        { ...row, fidelity: fidelity === 'delta' || fidelityNote !== undefined ? 'delta' : 'direct' },
  );
  const kind = row.kind ?? columns.kind ?? settings.kind;
  if (!isSurrogateKind(kind) && kind !== FAILURE_CLASSIFIER)
    throw new Error(
      `a stored model is of kind "${String(kind)}"; this version knows ${surrogateKinds.join(', ')}`,
    );
  const labelTier = text(row.labelTier);
  const baseTier = text(row.baseTier);
  const baseTrainedOn = count(row.baseTrainedOn);
  return {
    kind,
    settings,
    fidelity,
    ...(labelTier !== undefined ? { labelTier } : {}),
    ...(baseTier !== undefined ? { baseTier } : {}),
    trainedOn: count(row.trainedOn) ?? 0,
    ...(baseTrainedOn !== undefined ? { baseTrainedOn } : {}),
    nFeatures: count(row.nFeatures) ?? 0,
    ...(fidelityNote !== undefined ? { fidelityNote } : {}),
    backend: text(row.backend) ?? columns.backend ?? 'unknown',
    ...(text(row.property) !== undefined ? { property: text(row.property) } : {}),
  };
}

function settingsFrom(stored: Record<string, unknown>): SurrogateConfig {
  const fields = Object.entries(Surrogate.shape).map(([key, field]) => {
    const parsed = field.safeParse(stored[key]);
    return [key, parsed.success ? parsed.data : field.parse(undefined)];
  });
  return Surrogate.parse(Object.fromEntries(fields));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
