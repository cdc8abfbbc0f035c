/**
 * The basis-set escalation ladder of a DFT tier: run the smallest basis, predict the converged (reference-basis)
 * energy with a 90% interval from the CBS model, and run the next basis only while that interval is wider than the
 * tolerance. The largest basis therefore runs only for molecules the model is unsure about.
 *
 * The model is trained once per process on the data set's molecules (data/cbs/molecules.jsonl), which were
 * computed with a fixed functional: a ladder whose functional differs from the data set's gets a warning, since
 * basis-set errors depend mostly, but not only, on the basis.
 */
import { cardinalNumber } from '../../lib/cbs/dataset-config.js';
import { type MoleculeRung, moleculeExamples, moleculeFeatures } from '../../lib/cbs/examples.js';
import type { MoleculeRow } from '../../lib/cbs/rows.js';
import { compositionFeatures, compositionOf } from '../../lib/chem/composition.js';
import type { CalculationResult } from '../qm/calculate.js';
import { climb, perDataFile, type RungPrediction } from './ladder.js';
import { CbsModel } from './model.js';
import { readJsonl } from './read-dataset.js';

export interface LadderSpec {
  /** Correlation-consistent bases, smallest first; the last is the data set's reference basis. */
  bases: string[];
  /** Run the next basis while the 90% interval of the converged energy is wider than this (meV/atom). */
  maxIntervalMeVPerAtom: number;
  /** The data set's molecules.jsonl. */
  data: string;
}

export interface LadderStep {
  basis: string;
  result: CalculationResult;
  /** The converged energy predicted after this basis (hartree, whole molecule), when a prediction was made. */
  predicted?: RungPrediction;
}

export interface LadderOutcome {
  steps: LadderStep[];
  /** Bases never run because an interval was narrow enough. */
  skipped: string[];
  /** The energy the ladder settles on: the last basis's when it is the reference, else the prediction. */
  energy: { value: number; lo: number; hi: number; source: 'computed' | 'predicted' };
  cpuSeconds: number;
  /** Estimated CPU time of running only the largest basis (from the data set's cost ratios), and the saving. */
  largestBasisCpuEstimate: number;
  savedCpuSeconds: number;
  warnings: string[];
}

interface TrainedLadderModel {
  model: CbsModel;
  /** Median CPU-time ratio of each basis to the smallest, over the data set. */
  costRatio: Map<string, number>;
  method: string | null;
  bases: string[];
}

/** The model for a data file, trained once per process (and again when the file changes). */
export const ladderModel = perDataFile(train);

async function train(file: string): Promise<TrainedLadderModel> {
  const rows = readJsonl<MoleculeRow>(file);
  const set = moleculeExamples(rows);
  if (set.examples.length < 10) throw new Error(`${file}: only ${set.examples.length} usable examples`);
  const model = new CbsModel();
  await model.fit(
    set.examples.map((e) => e.features),
    set.examples.map((e) => e.target),
  );
  const bases = [...new Set(rows.map((r) => r.basis))];
  const smallest = rows.filter((r) => r.role === 'ladder' && r.cardinal === 2);
  const costRatio = new Map<string, number>();
  for (const basis of bases) {
    const ratios = rows
      .filter((r) => r.basis === basis && (r.cpuSeconds ?? 0) > 0)
      .flatMap((r) => {
        const small = smallest.find((s) => s.smiles === r.smiles);
        return small?.cpuSeconds ? [(r.cpuSeconds as number) / small.cpuSeconds] : [];
      })
      .sort((a, b) => a - b);
    if (ratios.length > 0)
      costRatio.set(basis.toLowerCase(), ratios[Math.floor(ratios.length / 2)] as number);
  }
  return { model, costRatio, method: rows.find((r) => r.method)?.method ?? null, bases };
}

/**
 * Runs the ladder: `run(basis)` performs one calculation (through the cache). Stops at the first basis whose
 * predicted interval is narrow enough, or at the last basis.
 */
export async function escalate(
  spec: LadderSpec,
  molecule: { species: string[]; method: string },
  run: (basis: string) => Promise<CalculationResult>,
): Promise<LadderOutcome> {
  const trained = await ladderModel(spec.data);
  const warnings: string[] = [];
  if (trained.method && trained.method.toLowerCase() !== molecule.method.toLowerCase()) {
    warnings.push(
      `the CBS model was trained on ${trained.method} energies; this tier uses ${molecule.method}`,
    );
  }
  const composition = compositionFeatures(compositionOf(molecule.species));
  const climbed = await climb({
    rungs: spec.bases,
    maxIntervalMeVPerAtom: spec.maxIntervalMeVPerAtom,
    atoms: molecule.species.length,
    model: trained.model,
    run,
    // the last basis is computed, not predicted
    features: (finished) =>
      finished.length === spec.bases.length
        ? undefined
        : moleculeFeatures(
            finished.map(
              ({ rung, outputs }): MoleculeRung => ({
                cardinal: cardinalOf(rung),
                energyPerAtom: outputs.totalEnergy / molecule.species.length,
                bandGap: outputs.homoLumoGap ?? null,
                homo: outputs.homo ?? null,
                lumo: outputs.lumo ?? null,
              }),
            ),
            composition,
          ),
  });
  const steps = climbed.steps.map(({ rung, ...s }): LadderStep => ({ basis: rung, ...s }));
  const lastStep = steps[steps.length - 1] as LadderStep;
  const ranAll = steps.length === spec.bases.length;
  const largest = spec.bases[spec.bases.length - 1] as string;
  const firstCpu =
    (steps[0]?.result.record.provenance as { cpuSeconds?: number } | undefined)?.cpuSeconds ?? 0;
  const largestRan = ranAll && lastStep.basis === largest;
  const largestBasisCpuEstimate = largestRan
    ? ((lastStep.result.record.provenance as { cpuSeconds?: number }).cpuSeconds ?? 0)
    : firstCpu * (trained.costRatio.get(largest.toLowerCase()) ?? 1);
  return {
    steps,
    skipped: climbed.skipped,
    energy: climbed.energy,
    cpuSeconds: climbed.cpuSeconds,
    largestBasisCpuEstimate,
    savedCpuSeconds: largestBasisCpuEstimate - climbed.cpuSeconds,
    warnings,
  };
}

function cardinalOf(basis: string): number {
  const x = cardinalNumber(basis);
  if (x === undefined) throw new Error(`basis "${basis}" is not a correlation-consistent cc-pVXZ basis`);
  return x;
}
