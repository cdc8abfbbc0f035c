/**
 * Replays the basis escalation ladder (activities/cbs/escalate.ts) on the data set, with held-out predictions:
 * for each molecule and tolerance, which basis the ladder would have stopped at, the CPU time it would have
 * spent against running the reference basis alone, and how far its energy would be from the reference. This is
 * the trade a user picks `maxIntervalMeVPerAtom` by.
 */
import { MEV_PER_HARTREE as HARTREE_MEV } from '../domain/units.js';

/** One molecule: its ladder bases in order (the last is the reference), each with its CPU time and, except the
 * reference, the held-out prediction of its basis-set error (hartree/atom) and the true error. */
export interface ReplayMolecule {
  group: string;
  rungs: {
    cpuSeconds: number;
    /** Absent for the reference basis. */
    predicted?: { median: number; lo: number; hi: number };
    target?: number;
  }[];
}

export interface ReplayResult {
  toleranceMeVPerAtom: number;
  molecules: number;
  /** How many ladders stopped after each basis (index into the ladder). */
  stoppedAt: number[];
  /** CPU of the ladders over CPU of running the reference basis alone, for every molecule. */
  cpuFraction: number;
  /** |energy - reference| per atom over all molecules (0 where the reference ran), meV/atom. */
  maeMeV: number;
  maxErrorMeV: number;
  /** Among ladders that stopped early, the share whose interval held the reference energy. */
  coveredWhenStopped: number;
}

export function replayEscalation(
  molecules: readonly ReplayMolecule[],
  toleranceMeVPerAtom: number,
): ReplayResult {
  const n = molecules[0]?.rungs.length ?? 0;
  const stoppedAt: number[] = new Array(n).fill(0);
  let spent = 0;
  let referenceAlone = 0;
  let errorSum = 0;
  let maxError = 0;
  let stoppedEarly = 0;
  let covered = 0;
  for (const m of molecules) {
    referenceAlone += m.rungs[m.rungs.length - 1]?.cpuSeconds ?? 0;
    for (const [i, rung] of m.rungs.entries()) {
      spent += rung.cpuSeconds;
      const p = rung.predicted;
      const last = i === m.rungs.length - 1;
      if (last || !p || rung.target === undefined) {
        stoppedAt[i] = (stoppedAt[i] ?? 0) + 1;
        break;
      }
      if ((p.hi - p.lo) * HARTREE_MEV <= toleranceMeVPerAtom) {
        stoppedAt[i] = (stoppedAt[i] ?? 0) + 1;
        const error = Math.abs(p.median - rung.target) * HARTREE_MEV;
        errorSum += error;
        maxError = Math.max(maxError, error);
        stoppedEarly++;
        if (rung.target >= p.lo && rung.target <= p.hi) covered++;
        break;
      }
    }
  }
  return {
    toleranceMeVPerAtom,
    molecules: molecules.length,
    stoppedAt,
    cpuFraction: referenceAlone > 0 ? spent / referenceAlone : Number.NaN,
    maeMeV: molecules.length > 0 ? errorSum / molecules.length : Number.NaN,
    maxErrorMeV: maxError,
    coveredWhenStopped: stoppedEarly > 0 ? covered / stoppedEarly : Number.NaN,
  };
}
