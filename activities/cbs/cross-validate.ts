/**
 * Leave-compound-out cross-validation of the CBS model: compounds (not rows) are split into folds, so a
 * compound's smaller and larger bases never sit on both sides; every example gets a prediction from a model
 * that never saw its compound. The analytic baselines need no fitting and are scored on the same examples.
 */
import type { Example, ExampleSet } from '../../lib/cbs/examples.js';
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
    const model = new CbsModel(opts);
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
  const scores: Record<string, ErrorSummary> = {
    qrf: summarise(
      predictions.map((p) => p.example.target),
      predictions.map((p) => p.median),
      { lo: predictions.map((p) => p.lo), hi: predictions.map((p) => p.hi) },
    ),
  };
  const baselineNames = [...new Set(set.examples.flatMap((e) => Object.keys(e.baselines)))];
  for (const name of baselineNames) {
    const usable = set.examples.filter((e) => e.baselines[name] !== undefined);
    scores[name] = summarise(
      usable.map((e) => e.target),
      usable.map((e) => e.baselines[name] as number),
    );
    // the model on exactly the examples the baseline could predict, for a like-for-like comparison
    const same = predictions.filter((p) => p.example.baselines[name] !== undefined);
    scores[`qrf (on ${name}'s examples)`] = summarise(
      same.map((p) => p.example.target),
      same.map((p) => p.median),
      { lo: same.map((p) => p.lo), hi: same.map((p) => p.hi) },
    );
  }
  // per basis size: the model and each baseline on the same examples
  const byBasis: Record<string, Record<string, ErrorSummary>> = {};
  for (const size of [...new Set(predictions.map((p) => p.example.basisSize))].sort((a, b) => a - b)) {
    const at = predictions.filter((p) => p.example.basisSize === size);
    const forSize: Record<string, ErrorSummary> = {
      qrf: summarise(
        at.map((p) => p.example.target),
        at.map((p) => p.median),
        { lo: at.map((p) => p.lo), hi: at.map((p) => p.hi) },
      ),
    };
    for (const name of baselineNames) {
      const usable = at.filter((p) => p.example.baselines[name] !== undefined);
      forSize[name] = summarise(
        usable.map((p) => p.example.target),
        usable.map((p) => p.example.baselines[name] as number),
      );
    }
    byBasis[String(size)] = forSize;
  }
  return { folds, compounds: groups.length, examples: set.examples.length, scores, byBasis, predictions };
}
