/**
 * The QM seam. A *template* turns a calculation spec and a geometry into input files and argv, and turns
 * the program's output back into numbers or a classified failure; it is pure and knows nothing of
 * processes. A *profile* says how to launch the code on this machine. The runner does the rest.
 */

import type { SlurmProfile } from '../lib/campaign/slurm-schema.js';
import type { Crystal, Geometry, QmSystem, Vec3 } from '../lib/domain/geometry.js';

export { type Crystal, type Geometry, isCrystal, type QmSystem, type Vec3 } from '../lib/domain/geometry.js';

export type CalcTask = 'energy' | 'optimize';

/** What to compute. `charge` and `multiplicity` are authoritative; the geometry's are the molecule's defaults. */
export interface CalcSpec {
  code: string;
  method: string;
  task: CalcTask;
  solvent?: string;
  /** Basis set name for Gaussian-basis codes (e.g. NWChem's '6-31G*', 'cc-pVTZ'). */
  basis?: string;
  charge: number;
  multiplicity: number;
  /** Code-specific knobs; a template rejects keys it does not know. */
  settings: Record<string, unknown>;
}

/** Everything a run needs besides the binary: file name -> contents (written into the work directory), argv, extra env. */
export interface CalcInputs {
  files: Record<string, string>;
  argv: string[];
  env?: Record<string, string>;
}

export interface CalcOutputs {
  /** Hartree. */
  totalEnergy: number;
  /** eV; absent for force fields. */
  homoLumoGap?: number;
  /** Debye (magnitude); absent when the code does not report one. */
  dipoleMoment?: number;
  /** Debye, Cartesian components. */
  dipoleVector?: Vec3;
  /** Hartree/bohr. */
  gradientNorm?: number;
  /** Per-atom partial charges (e), in input atom order. */
  partialCharges?: number[];
  /** The optimised geometry, for task 'optimize'. */
  finalGeometry?: Geometry;
  /** eV, molecular orbital energies where the code reports them. */
  homo?: number;
  lumo?: number;
  /** Hartree, for periodic codes. */
  fermiEnergy?: number;
  /** eV, for periodic codes; 0 for metals. */
  bandGap?: number;
  /** Number of SCF iterations (of the last SCF for optimisations). */
  scfIterations?: number;
  /** Non-fatal remarks: program warnings, disagreements between output sources. */
  warnings: string[];
}

export type CalcFailureKind =
  | 'scf-not-converged'
  | 'opt-not-converged'
  | 'killed'
  | 'timeout'
  | 'missing-binary'
  | 'invalid-input'
  | 'unknown';

export interface CalcFailure {
  kind: CalcFailureKind;
  message: string;
  /** Whether running the same inputs again (perhaps with adjusted settings) may succeed. */
  retryable: boolean;
  /** Where a failed optimisation stopped, when the code left that geometry behind: a restart goes on from it. */
  lastGeometry?: Geometry;
}

/** What a finished run left behind, as seen by a template's parser. */
export interface RawOutput {
  /** Reads a file from the work directory; undefined when absent. */
  files: (name: string) => string | undefined;
  stdout: string;
  stderr: string;
  /** null when the process was ended by a signal. */
  exitCode: number | null;
}

export interface QmTemplate<S extends QmSystem = Geometry> {
  code: string;
  /** Throws InvalidInputError for specs the code cannot run. */
  write(spec: CalcSpec, system: S): CalcInputs;
  parse(out: RawOutput): CalcOutputs | CalcFailure;
  /** Restart handlers for this code's recoverable failures, tried in priority order (see handlers.ts). */
  handlers?: RestartHandler[];
}

/**
 * A restart handler, in the spirit of AiiDA's BaseRestartWorkChain: one small named function for one failure
 * class. Given the failed attempt, it returns the spec to try next (e.g. more SCF iterations, damping, a higher
 * electronic temperature), or undefined when it has nothing more to offer.
 */
export interface RestartHandler {
  name: string;
  /** Which failures it handles. */
  handles: CalcFailureKind[];
  /** Higher runs first. */
  priority: number;
  /** Restarts this handler may cause for one calculation. */
  maxRestarts: number;
  /** The next spec, or undefined to give up. `restart` counts this handler's previous restarts (0 first). */
  apply(spec: CalcSpec, failure: CalcFailure, restart: number): CalcSpec | undefined;
}

/** How to launch a code on this machine. */
export interface Profile {
  binary: string;
  threads: number;
  env?: Record<string, string>;
  /** Submit the code as a Slurm batch job instead of starting it here (activities/qm/slurm/). */
  slurm?: SlurmProfile;
}

/** A code cascade can run: its template, how it launches here, and its version (part of every cache key). */
interface CodeEntryBase {
  code: string;
  profile(overrides?: Partial<Profile>): Profile;
  version(binary: string): Promise<string>;
  /** The Debian package that provides it, for error messages and `cascade qm doctor`. */
  debianPackage: string;
  /** The method `cascade qm run` uses when none is given. */
  defaultMethod: string;
}
export type MoleculeCode = CodeEntryBase & { system: 'molecule'; template: QmTemplate<Geometry> };
export type CrystalCode = CodeEntryBase & { system: 'crystal'; template: QmTemplate<Crystal> };
export type CodeEntry = MoleculeCode | CrystalCode;

/** Thrown by `QmTemplate.write` for a spec or geometry the code cannot run; the runner reports it as 'invalid-input'. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

export function isCalcFailure(x: CalcOutputs | CalcFailure): x is CalcFailure {
  return 'kind' in x;
}
