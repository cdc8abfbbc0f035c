/**
 * The climb shared by the escalation ladders (basis sets for molecules, escalate.ts; rgkmax for solids,
 * escalate-rgkmax.ts): run a rung, predict the reference energy with its 90% interval from the rungs run so far,
 * and run the next rung only while that interval is wider than the tolerance. What a rung is, which features it
 * has and what the reference is belong to each ladder; the stopping rule and the arithmetic of the interval are
 * here, once.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { MEV_PER_HARTREE as HARTREE_MEV } from '../../lib/domain/units.js';
import type { CalcOutputs } from '../../qm/template.js';
import type { CalculationResult } from '../qm/calculate.js';
import type { CbsModel } from './model.js';

/** The reference energy predicted after a rung (hartree, whole system), when a prediction was made. */
export interface RungPrediction {
  median: number;
  lo: number;
  hi: number;
  widthMeVPerAtom: number;
}

export interface ClimbStep<R> {
  rung: R;
  result: CalculationResult;
  predicted?: RungPrediction;
}

/** A rung that finished, with its outputs: what the next prediction's features are made of. */
export interface FinishedRung<R> {
  rung: R;
  outputs: CalcOutputs;
}

export interface Climb<R> {
  /** Smallest first. */
  rungs: readonly R[];
  maxIntervalMeVPerAtom: number;
  atoms: number;
  model: CbsModel;
  run: (rung: R) => Promise<CalculationResult>;
  /**
   * The features of the ladder so far (every finished rung, in order), or undefined where the last one needs no
   * prediction: its own energy is the answer, and the ladder ends there.
   */
  features: (finished: readonly FinishedRung<R>[]) => number[] | undefined;
}

export interface ClimbOutcome<R> {
  steps: ClimbStep<R>[];
  /** Rungs never run. */
  skipped: R[];
  /**
   * The energy the ladder settles on: the last rung's prediction where it made one, else the last rung's own
   * energy (NaN when that rung failed).
   */
  energy: { value: number; lo: number; hi: number; source: 'computed' | 'predicted' };
  cpuSeconds: number;
}

/** A rung's CPU time: the original run's (a cache hit's usage is zero, its provenance keeps what it cost). */
export function cpuOf(result: CalculationResult): number {
  return (result.record.provenance as { cpuSeconds?: number }).cpuSeconds ?? result.usage.cpuSeconds;
}

export async function climb<R>(c: Climb<R>): Promise<ClimbOutcome<R>> {
  const steps: ClimbStep<R>[] = [];
  const finished: FinishedRung<R>[] = [];
  let cpuSeconds = 0;
  for (const rung of c.rungs) {
    const result = await c.run(rung);
    cpuSeconds += cpuOf(result);
    const outputs = result.record.outputs as CalcOutputs | undefined;
    if (result.record.status !== 'ok' || !outputs) {
      // a failed rung ends the ladder: the caller sees the failure in the last step
      steps.push({ rung, result });
      break;
    }
    finished.push({ rung, outputs });
    const features = c.features(finished);
    if (!features) {
      steps.push({ rung, result });
      break;
    }
    const [p] = await c.model.predict([features]);
    if (!p) throw new Error('the CBS model returned no prediction');
    // E_ref = E_rung - ΔE: the interval's ends swap
    const predicted = {
      median: outputs.totalEnergy - p.median * c.atoms,
      lo: outputs.totalEnergy - p.hi * c.atoms,
      hi: outputs.totalEnergy - p.lo * c.atoms,
      widthMeVPerAtom: (p.hi - p.lo) * HARTREE_MEV,
    };
    steps.push({ rung, result, predicted });
    if (predicted.widthMeVPerAtom <= c.maxIntervalMeVPerAtom) break;
  }
  const last = steps[steps.length - 1] as ClimbStep<R>;
  const computed = (last.result.record.outputs as CalcOutputs | undefined)?.totalEnergy ?? Number.NaN;
  const energy = last.predicted
    ? {
        value: last.predicted.median,
        lo: last.predicted.lo,
        hi: last.predicted.hi,
        source: 'predicted' as const,
      }
    : { value: computed, lo: computed, hi: computed, source: 'computed' as const };
  return { steps, skipped: c.rungs.slice(steps.length), energy, cpuSeconds };
}

/**
 * `train` memoised per data file: once per process, and again when the file changes (a regenerated data set is
 * read without restarting the worker).
 */
export function perDataFile<T>(train: (file: string) => Promise<T>): (dataFile: string) => Promise<T> {
  const trained = new Map<string, { mtimeMs: number; value: Promise<T> }>();
  return (dataFile) => {
    const file = path.resolve(dataFile);
    const mtimeMs = statSync(file).mtimeMs;
    const known = trained.get(file);
    if (known && known.mtimeMs === mtimeMs) return known.value;
    const value = train(file);
    trained.set(file, { mtimeMs, value });
    return value;
  };
}
