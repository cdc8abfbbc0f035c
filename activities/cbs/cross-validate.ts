/**
 * Leave-compound-out cross-validation of the CBS model: compounds (not rows) are split into folds, so a
 * compound's smaller and larger bases never sit on both sides; every example gets a prediction from a model
 * that never saw its compound. The analytic baselines need no fitting and are scored on the same examples.
 *
 * Where the baselines read the whole ladder (two-point formulas use DZ and TZ even for the DZ row), the model is
 * also scored with the same calculations: every row's error follows from the prediction at the compound's largest
 * ladder basis, ΔE(b) = E(b) - E(largest) + ΔÊ(largest). That entry is `qrf (whole ladder)`.
 */
import { type Example, type ExampleSet, elementsAnchor } from '../../lib/cbs/examples.js';
import { type ErrorSummary, summarise } from '../../lib/cbs/metrics.js';
import { mulberry32, shuffle } from '../../lib/random.js';
import { CbsModel, type CbsModelOptions, type ErrorPrediction } from './model.js';

export interface CrossValidation {
  folds: number;
  compounds: number;
  examples: number;
  /** The model and every baseline, over all examples where it could predict. */
  scores: Record<string, ErrorSummary>;
  /** Per basis size: the model and every baseline. */
  byBasis: Record<string, Record<string, ErrorSummary>>;
  predictions: (ErrorPrediction & { example: Example })[];
}

type Scored = Pick<ErrorPrediction, 'median' | 'lo' | 'hi'> & { example: Example };

export const WHOLE_LADDER = 'qrf (whole ladder)';

/** Every row's prediction re-derived from its compound's largest-basis prediction (same calculations as a two-point formula). */
export function fromLargestBasis(predictions: readonly Scored[]): Scored[] {
  const largest = new Map<string, Scored>();
  for (const p of predictions) {
    const l = largest.get(p.example.group);
    if (!l || p.example.basisSize > l.example.basisSize) largest.set(p.example.group, p);
  }
  return predictions.map((p) => {
    const l = largest.get(p.example.group) as Scored;
    // E(b) - E(largest), exactly: both targets are measured from the same reference
    const step = p.example.target - l.example.target;
    return { example: p.example, median: step + l.median, lo: step + l.lo, hi: step + l.hi };
  });
}

export async function crossValidate(
  set: ExampleSet,
  opts: CbsModelOptions & { folds?: number } = {},
): Promise<CrossValidation> {
  const groups = shuffle([...new Set(set.examples.map((e) => e.group))].sort(), mulberry32(opts.seed ?? 1));
  const folds = Math.min(opts.folds ?? 10, groups.length);
  const foldOf = new Map(groups.map((g, i) => [g, i % folds]));
  const predictions: CrossValidation['predictions'] = [];
  for (let k = 0; k < folds; k++) {
    const train = set.examples.filter((e) => foldOf.get(e.group) !== k);
    const test = set.examples.filter((e) => foldOf.get(e.group) === k);
    if (test.length === 0) continue;
    const model = new CbsModel({ ...opts, anchor: opts.anchor ?? elementsAnchor(set.featureNames) });
    await model.fit(
      train.map((e) => e.features),
      train.map((e) => e.target),
    );
    const p = await model.predict(test.map((e) => e.features));
    model.dispose();
    test.forEach((e, i) => {
      predictions.push({ ...(p[i] as ErrorPrediction), example: e });
    });
  }
  const scored = (ps: readonly Scored[]): ErrorSummary =>
    summarise(
      ps.map((p) => p.example.target),
      ps.map((p) => p.median),
      { lo: ps.map((p) => p.lo), hi: ps.map((p) => p.hi) },
    );
  const models: Record<string, Scored[]> = { qrf: predictions };
  if (set.baselinesRead === 'whole ladder') models[WHOLE_LADDER] = fromLargestBasis(predictions);
  const baselineNames = [...new Set(set.examples.flatMap((e) => Object.keys(e.baselines)))];
  // the model(s) and every baseline on the examples `keep` selects; each baseline also against the model on
  // exactly the examples it could predict (where that is fewer), for a like-for-like comparison
  const table = (keep: (e: Example) => boolean): Record<string, ErrorSummary> => {
    const out: Record<string, ErrorSummary> = {};
    for (const [name, ps] of Object.entries(models)) out[name] = scored(ps.filter((p) => keep(p.example)));
    const at = predictions.filter((p) => keep(p.example));
    for (const name of baselineNames) {
      const usable = at.filter((p) => p.example.baselines[name] !== undefined);
      out[name] = summarise(
        usable.map((p) => p.example.target),
        usable.map((p) => p.example.baselines[name] as number),
      );
      if (usable.length < at.length) out[`qrf (${name}'s examples)`] = scored(usable);
    }
    return out;
  };
  const scores = table(() => true);
  const byBasis: Record<string, Record<string, ErrorSummary>> = {};
  for (const size of [...new Set(predictions.map((p) => p.example.basisSize))].sort((a, b) => a - b)) {
    byBasis[String(size)] = table((e) => e.basisSize === size);
  }
  return { folds, compounds: groups.length, examples: set.examples.length, scores, byBasis, predictions };
}
