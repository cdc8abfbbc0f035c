/**
 * Reading NWChem's output (checked against NWChem 7.0.2 as packaged by Debian).
 *
 * Outputs, as observed in 7.0.2 (everything is read from stdout):
 * - "Total DFT energy =" (12 decimals). NWChem prints it even when the SCF did not converge, so failures
 *   are classified first. In optimisations the last one belongs to the final geometry; it is cross-checked
 *   against the driver's last "@" line.
 * - Orbital energies (hartree) from "DFT Final [Alpha|Beta] Molecular Orbital Analysis" ("Vector n Occ=...
 *   E=..."; every orbital is printed). Open shells: see frontierOrbitals().
 * - The dipole from "Multipole analysis of the density" (atomic units, L=1 "total" column), printed by every
 *   DFT energy: no `property` task is needed. NWChem takes it about the coordinate origin; for ions (where
 *   it depends on the origin) it is re-referenced here to the centre of mass.
 * - Failures go through NWChem's `errquit`: a framed message, "current input line", a category line ("There
 *   is an error in the input file", "... in the specified basis set", "This type of error is most commonly
 *   associated with calculations not reaching convergence criteria") and then MPI_ABORT, whose error code
 *   becomes the exit status modulo 256: 255 for -1, but 143 for 911, which looks like SIGTERM and is not.
 *   A signal shows up as exitCode null.
 * - An SCF that runs out of iterations prints "Calculation failed to converge"; an optimisation that runs
 *   out of steps prints "Failed to converge in maximum number of steps or available time" and its last
 *   geometry, returned as the failure's `lastGeometry`.
 * - A basis name the library lacks: "Attempting to read a basis set from a non-existing file"; a basis that
 *   lacks an element: "bas_tag_lib: failed to locate basis xe_6-31g*". Both are invalid input.
 * - An unknown (short) solvent name is NOT an error: NWChem prints "solvname_long: unknown" and goes on
 *   with water's dielectric constant. The parser reports that as invalid input.
 */
import { DEBYE_PER_AU, EV_PER_HARTREE } from '../../../lib/domain/units.js';
import { normaliseSymbol } from '../../elements.js';
import { atomicNumber } from '../../molecule.js';
import type { CalcFailure, CalcOutputs, Geometry, RawOutput, Vec3 } from '../../template.js';
import {
  failure,
  fortranNumber,
  lastMatch,
  lastNumber as lastNumberOf,
  FORTRAN_NUM as NUM,
} from '../parsing.js';
import { NWCHEM_INPUT } from './input.js';

/** A number as NWChem prints it: Fortran D exponents allowed. */
const num = (s: string) => {
  const v = fortranNumber(s);
  return v === 0 ? 0 : v; // "-0.000000" is 0
};

const lastNumber = (text: string, re: RegExp) => lastNumberOf(text, re, num);

interface ErrQuit {
  message: string;
  inputLine?: string;
  category?: string;
}

/** NWChem's errquit block (the first one: later ranks or follow-up errors repeat or obscure it). */
export function errquit(stdout: string, stderr: string): ErrQuit | undefined {
  const m = /^ -{72}\n (.+?)\s+-?\d+\s*\n -{72}\n(?:.*\n)*? -{72}\n\s*current input line :\s*\n(.*)\n/m.exec(
    stdout,
  );
  if (m) {
    const after = stdout.slice((m.index ?? 0) + m[0].length);
    const category =
      /^ (There is an error[^\n]*|This type of error[^\n]*|An error occured[^\n]*|A feature requested[^\n]*|This error has not yet been assigned[^\n]*)/m
        .exec(after)?.[1]
        ?.trim();
    return {
      message: (m[1] ?? '').trim(),
      ...(m[2]?.trim() && { inputLine: m[2].trim().replace(/\s+/g, ' ') }),
      ...(category && { category }),
    };
  }
  const armci = /ARMCI Error: \d+:(.*?):?\s*$/m.exec(stderr)?.[1]?.trim();
  return armci ? { message: armci } : undefined;
}

function describe(e: ErrQuit | undefined, fallback: string): string {
  if (!e) return fallback;
  return [e.message, e.inputLine && `at input line "${e.inputLine}"`, e.category && `(${e.category})`]
    .filter(Boolean)
    .join(' ');
}

/** The last "Output coordinates in angstroms" block as a geometry, or undefined. */
export function lastPrintedGeometry(stdout: string, state: Pick<Geometry, 'charge' | 'multiplicity'>) {
  const at = stdout.lastIndexOf('Output coordinates in angstroms');
  if (at < 0) return undefined;
  const lines = stdout.slice(at).split('\n');
  const symbols: string[] = [];
  const coords: Vec3[] = [];
  const row = new RegExp(`^\\s*\\d+\\s+(\\S+)\\s+${NUM}\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})\\s*$`);
  let started = false;
  for (const line of lines.slice(1)) {
    const m = row.exec(line);
    if (m) {
      started = true;
      symbols.push(tagElement(m[1] ?? ''));
      coords.push([num(m[2] ?? ''), num(m[3] ?? ''), num(m[4] ?? '')]);
    } else if (started) break;
  }
  if (symbols.length === 0) return undefined;
  return { symbols, coords, charge: state.charge, multiplicity: state.multiplicity } satisfies Geometry;
}

/** NWChem geometry tags are element symbols, possibly followed by a label ("H1", "O_a"). */
function tagElement(tag: string): string {
  if (atomicNumber(tag) !== undefined) return normaliseSymbol(tag);
  const two = tag.slice(0, 2);
  if (/^[A-Za-z]{2}$/.test(two) && atomicNumber(two) !== undefined) return normaliseSymbol(two);
  return normaliseSymbol(tag.slice(0, 1));
}

/** Charge and multiplicity from the last "General Information" block, else from the deck. */
function chargeAndMultiplicity(stdout: string, deck: string | undefined) {
  const charge =
    lastNumber(stdout, /^\s*Charge\s*:\s*(-?\d+)\s*$/m) ?? lastNumber(deck ?? '', /^charge\s+(-?\d+)/m) ?? 0;
  const multiplicity =
    lastNumber(stdout, /^\s*Spin multiplicity:\s*(\d+)/m) ?? lastNumber(deck ?? '', /^\s*mult\s+(\d+)/m) ?? 1;
  return { charge, multiplicity };
}

export interface Orbital {
  occupation: number;
  /** hartree */
  energy: number;
}

/** The orbitals of one "DFT Final ... Molecular Orbital Analysis" section starting at `from`. */
function orbitalsAt(stdout: string, from: number): Orbital[] {
  const out: Orbital[] = [];
  const lines = stdout.slice(from).split('\n').slice(1);
  const vector = new RegExp(`^\\s*Vector\\s+\\d+\\s+Occ=\\s*(${NUM})\\s+E=\\s*(${NUM})`);
  for (const line of lines) {
    if (
      /^\s*(?:DFT Final|center of mass|Expectation value of S2|Multipole analysis|Task\s+times|Parallel integral)/.test(
        line,
      )
    )
      break;
    const m = vector.exec(line);
    if (m) out.push({ occupation: num(m[1] ?? ''), energy: num(m[2] ?? '') });
  }
  return out;
}

/** Orbital energies per spin channel (one channel for closed shells) from the last analysis printed. */
function spinChannels(stdout: string): Orbital[][] {
  const closed = stdout.lastIndexOf('DFT Final Molecular Orbital Analysis');
  const alpha = stdout.lastIndexOf('DFT Final Alpha Molecular Orbital Analysis');
  const beta = stdout.lastIndexOf('DFT Final Beta Molecular Orbital Analysis');
  if (alpha > closed && beta > alpha) return [orbitalsAt(stdout, alpha), orbitalsAt(stdout, beta)];
  if (closed >= 0) return [orbitalsAt(stdout, closed)];
  return [];
}

/**
 * HOMO and LUMO (eV). Closed shells: the highest occupied and lowest empty orbital. Open shells (UKS): the
 * frontier pair of the spin channel with the smaller gap, so that lumo - homo is that gap. (Taking HOMO and
 * LUMO across channels can give a negative gap: for the H atom the empty beta 1s lies below the occupied
 * alpha 1s.)
 */
export function frontierOrbitals(channels: Orbital[][]): { homo: number; lumo: number } | undefined {
  let best: { homo: number; lumo: number } | undefined;
  for (const orbitals of channels) {
    const occupied = orbitals.filter((o) => o.occupation > 0.01).map((o) => o.energy);
    const empty = orbitals.filter((o) => o.occupation <= 0.01).map((o) => o.energy);
    if (occupied.length === 0 || empty.length === 0) continue;
    const pair = { homo: Math.max(...occupied), lumo: Math.min(...empty) };
    if (!best || pair.lumo - pair.homo < best.lumo - best.homo) best = pair;
  }
  return best && { homo: best.homo * EV_PER_HARTREE, lumo: best.lumo * EV_PER_HARTREE };
}

/** Dipole (atomic units) from the last multipole analysis, about the centre of mass for ions. */
function parseDipole(stdout: string): Vec3 | undefined {
  const at = stdout.lastIndexOf('Multipole analysis of the density');
  if (at < 0) return undefined;
  const block = stdout.slice(at, at + 2000);
  const comp = (x: number, y: number, z: number) =>
    lastNumber(block, new RegExp(`^\\s*1\\s+${x}\\s+${y}\\s+${z}\\s+(${NUM})`, 'm'));
  const v = [comp(1, 0, 0), comp(0, 1, 0), comp(0, 0, 1)];
  if (!v.every((c) => c !== undefined)) return undefined;
  const dipole = v as Vec3;
  const charge = lastNumber(block, new RegExp(`^\\s*0\\s+0\\s+0\\s+0\\s+(${NUM})`, 'm')) ?? 0;
  if (Math.abs(charge) > 1e-3) {
    const com = lastMatch(
      stdout.slice(0, at),
      new RegExp(
        `center of mass\\s*\\n\\s*-+\\s*\\n\\s*x =\\s*(${NUM})\\s+y =\\s*(${NUM})\\s+z =\\s*(${NUM})`,
      ),
    );
    if (com) {
      const r = [num(com[1] ?? ''), num(com[2] ?? ''), num(com[3] ?? '')];
      return dipole.map((d, i) => d - Math.round(charge) * (r[i] ?? 0)) as Vec3;
    }
  }
  return dipole;
}

/** Euclidean norm of the last "DFT ENERGY GRADIENTS" block (hartree/bohr). */
function parseGradientNorm(stdout: string): number | undefined {
  const at = stdout.lastIndexOf('DFT ENERGY GRADIENTS');
  if (at < 0) return undefined;
  const row = new RegExp(
    `^\\s*\\d+\\s+\\S+\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})\\s*$`,
  );
  let sum = 0;
  let rows = 0;
  for (const line of stdout.slice(at).split('\n').slice(1, 2000)) {
    const m = row.exec(line);
    if (m) {
      rows++;
      sum += num(m[1] ?? '') ** 2 + num(m[2] ?? '') ** 2 + num(m[3] ?? '') ** 2;
    } else if (rows > 0) break;
  }
  return rows > 0 ? Math.sqrt(sum) : undefined;
}

/** Iterations of the last SCF that iterated ("d= 0,ls=0.0,diis     6    -76.40865..." rows). */
function parseScfIterations(stdout: string): number | undefined {
  return lastNumber(
    stdout,
    new RegExp(`^\\s*d=\\s*\\d+,\\s*ls=\\s*${NUM}(?:,\\s*\\w+)?\\s+(\\d+)\\s+${NUM}`, 'm'),
  );
}

function classify(out: RawOutput, deck: string | undefined): CalcFailure | undefined {
  const { stdout, stderr, exitCode } = out;
  const err = errquit(stdout, stderr);
  const tailOf = (t: string) => t.trim().split('\n').slice(-3).join(' ');
  if (exitCode === null) {
    return failure('killed', `nwchem was terminated by a signal: ${tailOf(stdout) || tailOf(stderr)}`, true);
  }
  if (/Calculation failed to converge/.test(stdout)) {
    const max = lastNumber(stdout, /Maximum number of iterations:\s*(\d+)/);
    return failure(
      'scf-not-converged',
      `nwchem SCF did not converge${max === undefined ? '' : ` in ${max} iterations`}: ${describe(err, 'Calculation failed to converge')}`,
      true,
    );
  }
  if (/Failed to converge in maximum number of steps or available time/.test(stdout)) {
    const steps = lastNumber(stdout, /maximum number of steps\s+\(nptopt\)\s*=\s*(\d+)/);
    const result = failure(
      'opt-not-converged',
      `nwchem geometry optimisation did not converge${steps === undefined ? '' : ` in ${steps} steps`}`,
      true,
    );
    const last = lastPrintedGeometry(stdout, chargeAndMultiplicity(stdout, deck));
    if (last) result.lastGeometry = last;
    return result;
  }
  const missingFile = /Attempting to read a basis set from a\s+non-existing file:\s*\n\s*(\S+)/.exec(stdout);
  if (missingFile) {
    const name = /library\s+"?([^"\s]+)"?/.exec(deck ?? '')?.[1];
    return failure(
      'invalid-input',
      `unknown basis set${name ? ` "${name}"` : ''}: no file ${missingFile[1]} in NWChem's basis library`,
      false,
    );
  }
  const missingElement = /failed to locate basis (\w+?)_(\S+) in file/.exec(stdout);
  if (missingElement) {
    const element = tagElement(missingElement[1] ?? '');
    return failure(
      'invalid-input',
      `basis set ${missingElement[2]} has no functions for element ${element} in NWChem's library`,
      false,
    );
  }
  if (
    err?.category &&
    /error in the (input file|specified basis set)|geometry|not yet been implemented/.test(err.category)
  ) {
    return failure('invalid-input', `nwchem rejected the input: ${describe(err, '')}`, false);
  }
  if (exitCode !== 0 || err) {
    return failure(
      'unknown',
      `nwchem failed (exit code ${exitCode}): ${describe(err, tailOf(stderr) || tailOf(stdout))}`,
      false,
    );
  }
  const solvent = /^\s*solvent\s+(\S+)/m.exec(deck ?? '')?.[1];
  if (solvent && /solvname_long:\s*unknown\b/.test(stdout)) {
    return failure(
      'invalid-input',
      `nwchem does not know solvent "${solvent}" (it went on with water's dielectric constant)`,
      false,
    );
  }
  return undefined;
}

export function parseNwchemOutput(out: RawOutput): CalcOutputs | CalcFailure {
  const deck = out.files(NWCHEM_INPUT);
  const failed = classify(out, deck);
  if (failed) return failed;
  const { stdout } = out;
  const warnings: string[] = [];
  let totalEnergy = lastNumber(stdout, new RegExp(`Total DFT energy =\\s*(${NUM})`));
  if (totalEnergy === undefined)
    return failure('unknown', 'nwchem finished but reported no total DFT energy', false);

  const optimize = deck !== undefined ? /^task\s+dft\s+optimize/m.test(deck) : /@ Step\s+Energy/.test(stdout);
  const result: CalcOutputs = { totalEnergy, warnings };
  if (optimize) {
    if (!/Optimization converged/.test(stdout))
      return failure('unknown', 'nwchem optimisation ended without "Optimization converged"', false);
    // the driver's summary: "@    3     -75.32277490 -2.1D-07 ..." (8 decimals)
    const driver = lastNumber(stdout, new RegExp(`^@\\s+\\d+\\s+(${NUM})\\s`, 'm'));
    if (driver !== undefined && Math.abs(driver - totalEnergy) > 1e-7) {
      warnings.push(
        `last "Total DFT energy" ${totalEnergy} is not the driver's final energy ${driver}; using the driver's`,
      );
      totalEnergy = driver;
      result.totalEnergy = driver;
    }
    const geometry = lastPrintedGeometry(stdout, chargeAndMultiplicity(stdout, deck));
    if (!geometry) return failure('unknown', 'nwchem optimisation printed no final geometry', false);
    result.finalGeometry = geometry;
    const gradientNorm = parseGradientNorm(stdout);
    if (gradientNorm !== undefined) result.gradientNorm = gradientNorm;
  }

  const frontier = frontierOrbitals(spinChannels(stdout));
  if (frontier) {
    result.homo = frontier.homo;
    result.lumo = frontier.lumo;
    result.homoLumoGap = frontier.lumo - frontier.homo;
  } else {
    warnings.push('no molecular orbital analysis in the output: no HOMO/LUMO');
  }
  const dipole = parseDipole(stdout);
  if (dipole) {
    result.dipoleVector = dipole.map((d) => d * DEBYE_PER_AU) as Vec3;
    result.dipoleMoment = Math.hypot(...dipole) * DEBYE_PER_AU;
  }
  const iterations = parseScfIterations(stdout);
  if (iterations !== undefined) result.scfIterations = iterations;

  const s2 = lastMatch(stdout, new RegExp(`<S2> =\\s*(${NUM})\\s*\\(Exact =\\s*(${NUM})\\)`));
  if (s2 && Math.abs(num(s2[1] ?? '') - num(s2[2] ?? '')) > 0.1) {
    warnings.push(`spin contamination: <S2> = ${num(s2[1] ?? '')}, exact ${num(s2[2] ?? '')}`);
  }
  return result;
}
