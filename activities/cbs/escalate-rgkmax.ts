/**
 * The rgkmax escalation ladder of an Elk tier, as escalate.ts is the basis ladder of an NWChem one: run the
 * smallest rgkmax, predict the energy at the data set's reference rgkmax with a 90% interval from the CBS model,
 * and run the next rgkmax only while that interval is wider than the tolerance.
 *
 * The model is trained once per process on the data set's crystals (data/cbs/solids.jsonl, solidExamples). Its
 * target is always the reference rgkmax's energy (the data set's `reference` rows), so a ladder that stops below
 * it, at any rung, answers the same quantity: the prediction. A rung at the reference itself is computed.
 *
 * The model learned from the data set's own ladder (5, 6, 7, 8): its first-rung forests saw only the first rgkmax,
 * and its later forest only steps of the data set's size. A ladder must therefore follow the data set's from its
 * start (a prefix of it), optionally ending at the reference; any other is refused before anything runs. Replayed
 * on the data set with held-out compounds, a ladder starting at 8 gave 9 meV/atom wide intervals around errors of
 * 120 meV/atom (25 of 66 held), and 6 -> 8 held 10 of 66: wrong and confident, which a tolerance would believe.
 *
 * A crystal whose prototype the data set does not hold (or none given) gets an all-zero prototype one-hot, as
 * solidFeatures gives it, and a warning: the model never saw that combination. It is no reason to refuse: replayed
 * the same way with every crystal's prototype zeroed, the MAE moved by at most 0.2 meV/atom at any rung and no
 * interval changed its verdict, since composition and the ladder's own energy steps carry the prediction.
 */
import {
  ABSURD_ERROR,
  BELOW_REFERENCE,
  type ElementErrors,
  elementErrorsOf,
  elementsAnchor,
  type SolidCompound,
  type SolidRung,
  solidExamples,
  solidFeatures,
} from '../../lib/cbs/examples.js';
import type { SolidRow } from '../../lib/cbs/rows.js';
import { compositionFeatures, compositionOf } from '../../lib/chem/composition.js';
import type { CalcOutputs } from '../../qm/template.js';
import type { CalculationResult } from '../qm/calculate.js';
import { climb, cpuOf, perDataFile, type RungPrediction } from './ladder.js';
import { CbsModel } from './model.js';
import { readJsonl } from './read-dataset.js';

export interface RgkmaxLadderSpec {
  /** A start of the data set's ladder (5, 6, 7, 8), optionally followed by its reference rgkmax (9). */
  rgkmax: number[];
  /** Run the next rgkmax while the 90% interval of the reference energy is wider than this (meV/atom). */
  maxIntervalMeVPerAtom: number;
  /** The data set's solids.jsonl. */
  data: string;
}

export interface RgkmaxStep {
  rgkmax: number;
  result: CalculationResult;
  /** The reference-rgkmax energy predicted after this rgkmax (hartree per cell), when a prediction was made. */
  predicted?: RungPrediction;
}

export interface RgkmaxOutcome {
  steps: RgkmaxStep[];
  /** rgkmax values never run: an interval was narrow enough, or a rung failed. */
  skipped: number[];
  /** The data set's reference rgkmax: `energy` is the energy there. */
  referenceRgkmax: number;
  /** Hartree per cell: computed where the reference rgkmax ran, else the last prediction. */
  energy: { value: number; lo: number; hi: number; source: 'computed' | 'predicted' };
  cpuSeconds: number;
  /** CPU time of running only the ladder's largest rgkmax: measured if it ran, else from the data set's cost ratios. */
  largestBasisCpuEstimate: number;
  savedCpuSeconds: number;
  warnings: string[];
}

interface TrainedRgkmaxModel {
  model: CbsModel;
  referenceRgkmax: number;
  /** The rgkmax values the model has examples at, ascending. */
  ladderRgkmax: number[];
  /** The prototypes of the crystals it was trained on. */
  prototypes: Set<string>;
  elementErrors: ElementErrors;
  method: string | null;
  /** Median over the data set's crystals of CPU(to) / CPU(from), where both ran; undefined where none did. */
  costRatio: (from: number, to: number) => number | undefined;
}

/** The model for a data file, trained once per process (and again when the file changes). */
export const rgkmaxModel = perDataFile(train);

async function train(file: string): Promise<TrainedRgkmaxModel> {
  const rows = readJsonl<SolidRow>(file);
  const set = solidExamples(rows);
  if (set.examples.length < 10) throw new Error(`${file}: only ${set.examples.length} usable examples`);
  const references = [...new Set(rows.filter((r) => r.role === 'reference').map((r) => r.rgkmax))];
  if (references.length !== 1) {
    throw new Error(
      `${file}: the reference rows have rgkmax ${references.join(', ') || '(none)'}; the ladder needs exactly one`,
    );
  }
  const model = new CbsModel({ anchor: elementsAnchor(set.featureNames) });
  await model.fit(
    set.examples.map((e) => e.features),
    set.examples.map((e) => e.target),
  );
  const trainedOn = new Set(set.examples.map((e) => e.group));
  const cpu = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (r.status !== 'ok' || !(r.cpuSeconds && r.cpuSeconds > 0)) continue;
    const key = `${r.kind}:${r.compound}`;
    cpu.set(key, (cpu.get(key) ?? new Map()).set(r.rgkmax, r.cpuSeconds));
  }
  const costRatio = (from: number, to: number): number | undefined => {
    const ratios = [...cpu.values()]
      .flatMap((c) => {
        const a = c.get(from);
        const b = c.get(to);
        return a && b ? [b / a] : [];
      })
      .sort((x, y) => x - y);
    return ratios[Math.floor(ratios.length / 2)];
  };
  return {
    model,
    referenceRgkmax: references[0] as number,
    ladderRgkmax: [...new Set(set.examples.map((e) => e.basisSize))].sort((a, b) => a - b),
    prototypes: new Set(
      rows.filter((r) => r.kind === 'binary' && trainedOn.has(r.compound)).map((r) => r.prototype),
    ),
    elementErrors: elementErrorsOf(rows),
    method: rows.find((r) => r.method)?.method ?? null,
    costRatio,
  };
}

/**
 * Runs the ladder: `run(rgkmax)` performs one Elk calculation (through the cache). Stops at the first rgkmax whose
 * predicted interval is narrow enough, at a failed one, or at the last one.
 */
export async function escalateRgkmax(
  spec: RgkmaxLadderSpec,
  crystal: { species: string[]; prototype?: string; method?: string },
  run: (rgkmax: number) => Promise<CalculationResult>,
): Promise<RgkmaxOutcome> {
  const trained = await rgkmaxModel(spec.data);
  checkLadder(spec.rgkmax, trained);
  const reference = trained.referenceRgkmax;
  const atoms = crystal.species.length;
  const composition = compositionOf(crystal.species);
  const known = crystal.prototype !== undefined && trained.prototypes.has(crystal.prototype);
  const compound: SolidCompound = {
    composition,
    compositionFeatures: compositionFeatures(composition),
    prototype: known ? crystal.prototype : undefined,
  };
  const warnings = setupWarnings(spec, crystal, trained, known);
  const climbed = await climb({
    rungs: spec.rgkmax,
    maxIntervalMeVPerAtom: spec.maxIntervalMeVPerAtom,
    atoms,
    model: trained.model,
    run,
    features: (finished) => {
      const ladder = finished.map(
        ({ rung, outputs }): SolidRung => ({
          rgkmax: rung,
          energyPerAtom: outputs.totalEnergy / atoms,
          bandGap: outputs.bandGap ?? null,
        }),
      );
      // at the reference rgkmax the energy is computed: the ladder ends there
      const at = (ladder[ladder.length - 1] as SolidRung).rgkmax;
      return at >= reference ? undefined : solidFeatures(ladder, compound, trained.elementErrors);
    },
  });
  const steps = climbed.steps.map(({ rung, ...step }): RgkmaxStep => ({ rgkmax: rung, ...step }));
  warnings.push(...stepWarnings(steps, atoms));
  const last = steps[steps.length - 1] as RgkmaxStep;
  if (last.predicted && last.predicted.widthMeVPerAtom > spec.maxIntervalMeVPerAtom) {
    warnings.push(
      `the ladder ended at rgkmax ${last.rgkmax} with a 90% interval of ${last.predicted.widthMeVPerAtom.toFixed(1)} meV/atom, wider than the tolerance of ${spec.maxIntervalMeVPerAtom} meV/atom`,
    );
  }
  const top = spec.rgkmax[spec.rgkmax.length - 1] as number;
  const first = steps[0] as RgkmaxStep;
  let largestBasisCpuEstimate: number;
  if (last.rgkmax === top) largestBasisCpuEstimate = cpuOf(last.result);
  else {
    const ratio = trained.costRatio(first.rgkmax, top);
    if (ratio === undefined) {
      warnings.push(
        `the data set has no crystal computed at both rgkmax ${first.rgkmax} and ${top}: the CPU estimate of rgkmax ${top} is that of rgkmax ${first.rgkmax}`,
      );
    }
    largestBasisCpuEstimate = cpuOf(first.result) * (ratio ?? 1);
  }
  return {
    steps,
    skipped: climbed.skipped,
    referenceRgkmax: reference,
    energy: climbed.energy,
    cpuSeconds: climbed.cpuSeconds,
    largestBasisCpuEstimate,
    savedCpuSeconds: largestBasisCpuEstimate - climbed.cpuSeconds,
    warnings,
  };
}

/** Refuses a ladder the model did not learn (see the top of this file). */
function checkLadder(rgkmax: readonly number[], trained: TrainedRgkmaxModel): void {
  const reference = trained.referenceRgkmax;
  const below = rgkmax.filter((r) => r < reference);
  const rest = rgkmax.slice(below.length);
  const prefix = below.every((r, i) => r === trained.ladderRgkmax[i]);
  if (rgkmax.length > 0 && prefix && (rest.length === 0 || (rest.length === 1 && rest[0] === reference)))
    return;
  throw new Error(
    `rgkmax ladder [${rgkmax.join(', ')}]: the CBS model learned the data set's ladder [${trained.ladderRgkmax.join(', ')}] with reference ${reference}; a ladder must be a start of it (e.g. [${trained.ladderRgkmax.slice(0, 2).join(', ')}]), optionally followed by ${reference}`,
  );
}

/** What makes the model's predictions for this ladder and crystal less trustworthy, known before anything runs. */
function setupWarnings(
  spec: RgkmaxLadderSpec,
  crystal: { species: string[]; prototype?: string; method?: string },
  trained: TrainedRgkmaxModel,
  prototypeKnown: boolean,
): string[] {
  const warnings: string[] = [];
  if (trained.method && crystal.method && trained.method.toLowerCase() !== crystal.method.toLowerCase()) {
    warnings.push(
      `the CBS model was trained on ${trained.method} energies; this tier uses ${crystal.method}`,
    );
  }
  if (!prototypeKnown) {
    const held = [...trained.prototypes].sort().join(', ');
    warnings.push(
      `${crystal.prototype === undefined ? 'no prototype given' : `prototype "${crystal.prototype}" is not in the data set (${held})`}: its prototype features are all zero, a combination the model never saw`,
    );
  }
  const firstRgkmax = spec.rgkmax[0] as number;
  const unknown = [...new Set(crystal.species)].filter(
    (s) => trained.elementErrors.get(s)?.get(firstRgkmax) === undefined,
  );
  if (firstRgkmax < trained.referenceRgkmax && unknown.length > 0) {
    warnings.push(
      `the data set has no usable elemental error of ${unknown.join(', ')} at rgkmax ${firstRgkmax}: the first prediction goes without the stoichiometric estimate`,
    );
  }
  return warnings;
}

/** Energy steps that point at a broken calculation (the data set leaves such crystals out of training). */
function stepWarnings(steps: readonly RgkmaxStep[], atoms: number): string[] {
  const warnings: string[] = [];
  const energyOf = (s: RgkmaxStep) => (s.result.record.outputs as CalcOutputs | undefined)?.totalEnergy;
  for (let i = 1; i < steps.length; i++) {
    const [a, b] = [steps[i - 1] as RgkmaxStep, steps[i] as RgkmaxStep];
    const [ea, eb] = [energyOf(a), energyOf(b)];
    if (ea === undefined || eb === undefined) continue;
    const step = (eb - ea) / atoms;
    if (Math.abs(step) > ABSURD_ERROR) {
      warnings.push(
        `the energy changed by ${step.toFixed(3)} Ha/atom from rgkmax ${a.rgkmax} to ${b.rgkmax}: one of them is a broken calculation`,
      );
    } else if (step > BELOW_REFERENCE) {
      // a larger rgkmax is a larger LAPW basis: the energy should not rise
      warnings.push(
        `the energy rose by ${(step * 1000).toFixed(2)} mHa/atom from rgkmax ${a.rgkmax} to ${b.rgkmax}: one of them is suspect`,
      );
    }
  }
  return warnings;
}
