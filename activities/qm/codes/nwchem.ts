/**
 * The NWChem template: Gaussian-basis DFT on molecules (checked against NWChem 7.0.2 as packaged by Debian).
 *
 * Inputs: one deck, `input.nw`, run as `nwchem input.nw` in the work directory (launch: nwchem-profile.ts).
 * - `start cascade` with `permanent_dir ./` and `scratch_dir ./`: the runtime database, vectors, integral
 *   and grid files all stay inside the run's own work directory.
 * - The geometry is written in angstrom with `noautosym nocenter`, so NWChem neither moves it to the centre
 *   of mass nor re-orients or symmetrises it: coordinates in the output (and an optimised geometry) are in
 *   the caller's frame, atoms in the caller's order. Single points add `noautoz` (internal coordinates are
 *   only of use to the optimiser); optimisations keep autoz, whose redundant internals converge faster, and
 *   NWChem falls back to Cartesians by itself where autoz fails (linear molecules).
 * - `basis "ao basis" cartesian|spherical` with `* library "<name>"`: any basis in NWChem's library, the
 *   same for every element. Pople sets (STO-nG, 3-21G, 6-31G*, 6-311++G(2d,2p), ...) default to Cartesian d
 *   functions, the convention they were defined (and are usually quoted) with; everything else (cc-pVXZ,
 *   def2-*, ...) to spherical. Water B3LYP/6-31G* is -76.408654 Eh Cartesian but -76.406734 Eh spherical.
 * - `dft` block: `xc` from spec.method (NWChem's own keywords, or one of the aliases in XC_ALIASES; a
 *   "-d3"/"-d3bj" suffix adds Grimme's D3 or D3(BJ) via `disp vdw 3|4`), `mult` (multiplicities above 1 run
 *   spin-unrestricted, NWChem's default), SCF settings.
 * - `cosmo; solvent <name>` for spec.solvent (NWChem's solvent names, at most 8 characters: water, h2o,
 *   dmso, methanol, acetntrl, toluene, ...).
 * - `task dft energy` or `task dft optimize` (DRIVER, `maxiter` from settings.maxSteps).
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
import type { NwchemTierConfig } from '../../../lib/campaign/schema.js';
import { normaliseSymbol } from '../elements.js';
import { atomicNumber } from '../geometry.js';
import {
  type CalcFailure,
  type CalcInputs,
  type CalcOutputs,
  type CalcSpec,
  type Geometry,
  InvalidInputError,
  type QmTemplate,
  type RawOutput,
  type RestartHandler,
  type Vec3,
} from '../template.js';
import { checkGeometry, unpairedElectrons } from './molecule-checks.js';
import { failure, lastMatch, lastNumber as lastNumberOf, FORTRAN_NUM as NUM } from './parsing.js';
import { settingChecks, withSettings } from './settings.js';
import { DEBYE_PER_AU } from './xtb.js';

/** The deck's file name in the work directory. */
export const NWCHEM_INPUT = 'input.nw';
/** NWChem's file prefix (`start cascade`): cascade.db, cascade.movecs, ... */
const PREFIX = 'cascade';
/** eV per hartree (CODATA 2018). */
export const EV_PER_HARTREE = 27.211386245988;

/** NWChem's own defaults, for handlers and messages. */
export const NWCHEM_DEFAULT_ITERATIONS = 30;
export const NWCHEM_DEFAULT_MAX_STEPS = 20;

/**
 * Common functional names -> the lines of NWChem's `dft` block. Anything else is passed to `xc` as given,
 * for NWChem to accept or reject.
 */
const XC_ALIASES: Record<string, string[]> = {
  hf: ['xc hfexch'],
  lda: ['xc slater vwn_5'],
  svwn5: ['xc slater vwn_5'],
  blyp: ['xc becke88 lyp'],
  bp86: ['xc becke88 perdew86'],
  pw91: ['xc xperdew91 perdew91'],
  pbe: ['xc xpbe96 cpbe96'],
  pbe0: ['xc pbe0'],
  pbe1pbe: ['xc pbe0'],
  b3lyp: ['xc b3lyp'],
  bhandhlyp: ['xc bhlyp'],
  tpss: ['xc xtpss03 ctpss03'],
  tpssh: ['xc xctpssh'],
  scan: ['xc scan'],
  m06: ['xc m06'],
  'm06-l': ['xc m06-l'],
  'm06-2x': ['xc m06-2x'],
  /** B97-D includes its own (D2) dispersion term. */
  'b97-d': ['xc becke97-d'],
  'cam-b3lyp': ['xc xcamb88 1.00 lyp 0.81 vwn_5 0.19 hfexch 1.00', 'cam 0.33 cam_alpha 0.19 cam_beta 0.46'],
};
/** Method suffix -> NWChem's `disp vdw` version. */
const DISPERSION: Record<string, number> = { d3: 3, d3bj: 4 };
/** What may go to `xc` unaliased: NWChem keywords and prefactors, separated by single spaces. */
const XC_PASSTHROUGH = /^[a-z0-9][a-z0-9_.+-]*(?: [a-z0-9_.+-]+)*$/i;
/** Basis names as NWChem's library spells them: 6-31G*, 6-311++G(2d,2p), cc-pVTZ, def2-SVP, ... */
const BASIS_NAME = /^[A-Za-z0-9][A-Za-z0-9*+(),._-]*$/;
/** Pople basis sets, conventionally Cartesian. */
const POPLE = /^(?:sto-\d+g|\d-\d+\+*g)/i;
/** NWChem reads solvent names of at most 8 characters. */
const SOLVENT = /^[a-z0-9][a-z0-9_-]{0,7}$/i;
const GRIDS = ['xcoarse', 'coarse', 'medium', 'fine', 'xfine', 'huge'];
const OPT_CONVERGENCE = ['loose', 'default', 'tight'];
const BASIS_TYPES = ['spherical', 'cartesian'];

/** Settings after validation. */
interface Settings {
  iterations?: number;
  convergence?: number;
  damp?: number;
  dampCycles?: number;
  levelShift?: number;
  grid?: string;
  maxSteps?: number;
  optConvergence?: string;
  basisType?: string;
  memory?: number;
}

const { bad, positiveInt, positiveNumber, optimizeOnly } = settingChecks('nwchem');

function oneOf(name: string, v: unknown, allowed: string[]): string {
  if (typeof v !== 'string' || !allowed.includes(v)) throw bad(name, `one of ${allowed.join(', ')}`);
  return v;
}

/** Settings this template understands: name -> validated value. */
const SETTINGS: Record<keyof Settings, (v: unknown, spec: CalcSpec) => Settings[keyof Settings]> = {
  /** Maximum SCF iterations (NWChem default 30). */
  iterations: (v) => positiveInt('iterations', v),
  /** SCF energy convergence threshold in hartree (NWChem default 1e-6). */
  convergence: (v) => positiveNumber('convergence', v),
  /** Density damping in percent of the old density mixed in (0-99), for `dampCycles` iterations. */
  damp: (v) => {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 99)
      throw bad('damp', 'an integer percentage from 0 to 99');
    return v as number;
  },
  /** Iterations damping stays on (default: all of them; NWChem's own default is 2). */
  dampCycles: (v) => positiveInt('dampCycles', v),
  /** Level shift of the virtual orbitals in hartree, applied in every iteration. */
  levelShift: (v) => positiveNumber('levelShift', v),
  /** XC integration grid (NWChem default medium). */
  grid: (v) => oneOf('grid', v, GRIDS),
  /** Maximum optimisation steps (DRIVER maxiter, NWChem default 20). */
  maxSteps: (v, spec) => positiveInt('maxSteps', optimizeOnly('maxSteps', v, spec)),
  /** DRIVER convergence criteria set. */
  optConvergence: (v, spec) =>
    oneOf('optConvergence', optimizeOnly('optConvergence', v, spec), OPT_CONVERGENCE),
  /** Cartesian or spherical d, f, ... functions (default: Cartesian for Pople sets, else spherical). */
  basisType: (v) => oneOf('basisType', v, BASIS_TYPES),
  /** Total memory in MB (NWChem default 400). */
  memory: (v) => positiveInt('memory', v),
};

/** Names people reach for, and what this template calls them. */
const SETTING_HINTS: Record<string, string> = {
  lshift: 'levelShift',
  maxiter: 'iterations (SCF) or maxSteps (optimisation)',
  convergenceEnergy: 'convergence',
};

function readSettings(spec: CalcSpec): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec.settings)) {
    const check = Object.hasOwn(SETTINGS, key) ? SETTINGS[key as keyof Settings] : undefined;
    if (!check) {
      const hint = SETTING_HINTS[key] ? ` (did you mean ${SETTING_HINTS[key]}?)` : '';
      throw new InvalidInputError(
        `unknown nwchem setting "${key}"${hint} (known: ${Object.keys(SETTINGS).join(', ')})`,
      );
    }
    if (value !== undefined) out[key] = check(value, spec);
  }
  return out as Settings;
}

/** The `dft` block lines for a method: an alias, or NWChem keywords as given, plus an optional -d3/-d3bj. */
export function xcLines(method: string): string[] {
  const lower = method.trim().toLowerCase();
  const suffix = /^(.+)-(d3|d3bj)$/.exec(lower);
  const base = suffix?.[1] ?? lower;
  const alias = XC_ALIASES[base];
  const lines = alias ? [...alias] : XC_PASSTHROUGH.test(base) ? [`xc ${base}`] : undefined;
  if (!lines) {
    throw new InvalidInputError(
      `invalid nwchem method "${method}": use an exchange-correlation functional NWChem knows (e.g. ${Object.keys(
        XC_ALIASES,
      )
        .slice(0, 8)
        .join(', ')}) or its xc keywords`,
    );
  }
  if (suffix?.[2]) lines.push(`disp vdw ${DISPERSION[suffix[2]]}`);
  return lines;
}

/** The geometry's symbols in their usual capitalisation, after checking atoms and elements. */
function checkedSymbols(geom: Geometry): string[] {
  checkGeometry(geom);
  return geom.symbols.map((s) => {
    if (atomicNumber(s) === undefined) throw new InvalidInputError(`unknown element symbol "${s}"`);
    return normaliseSymbol(s);
  });
}

const coord = (v: number) => (v === 0 ? 0 : v).toFixed(10).padStart(17);

function write(spec: CalcSpec, geom: Geometry): CalcInputs {
  if (spec.code !== 'nwchem') throw new InvalidInputError(`nwchem template got a spec for "${spec.code}"`);
  if (spec.task !== 'energy' && spec.task !== 'optimize')
    throw new InvalidInputError(`unknown task "${spec.task}"`);
  const xc = xcLines(spec.method);
  const basis = spec.basis?.trim();
  if (!basis) throw new InvalidInputError('nwchem needs a basis set (spec.basis), e.g. 6-31G* or cc-pVDZ');
  if (!BASIS_NAME.test(basis)) throw new InvalidInputError(`invalid basis set name "${basis}"`);
  if (spec.solvent !== undefined && !SOLVENT.test(spec.solvent)) {
    throw new InvalidInputError(
      `invalid nwchem solvent "${spec.solvent}" (NWChem's names have at most 8 characters, e.g. water, dmso, acetntrl)`,
    );
  }
  const symbols = checkedSymbols(geom);
  unpairedElectrons(spec, symbols);
  const s = readSettings(spec);
  const optimize = spec.task === 'optimize';

  const lines = [
    `# cascade: ${spec.method}/${basis} ${spec.task}`,
    `start ${PREFIX}`,
    'permanent_dir ./',
    'scratch_dir ./',
  ];
  if (s.memory !== undefined) lines.push(`memory total ${s.memory} mb`);
  lines.push(`geometry units angstrom noautosym nocenter${optimize ? '' : ' noautoz'}`);
  symbols.forEach((sym, i) => {
    const c = geom.coords[i] as Vec3;
    lines.push(`  ${sym.padEnd(2)} ${c.map(coord).join(' ')}`);
  });
  lines.push('end', `charge ${spec.charge}`);
  const basisType = s.basisType ?? (POPLE.test(basis) ? 'cartesian' : 'spherical');
  lines.push(`basis "ao basis" ${basisType}`, `  * library "${basis}"`, 'end');

  lines.push('dft', ...xc.map((l) => `  ${l}`), `  mult ${spec.multiplicity}`);
  if (s.iterations !== undefined) lines.push(`  iterations ${s.iterations}`);
  const conv: string[] = [];
  if (s.convergence !== undefined) conv.push(`energy ${s.convergence}`);
  if (s.damp !== undefined) {
    conv.push(`damp ${s.damp} ncydp ${s.dampCycles ?? s.iterations ?? NWCHEM_DEFAULT_ITERATIONS}`);
  } else if (s.dampCycles !== undefined) {
    throw new InvalidInputError('nwchem setting dampCycles needs damp');
  }
  // NWChem shifts only while the HOMO-LUMO gap is below hl_tol (default 0.01 Eh): raise it so the shift applies.
  if (s.levelShift !== undefined) conv.push(`lshift ${s.levelShift} hl_tol 1.0`);
  if (conv.length > 0) lines.push(`  convergence ${conv.join(' ')}`);
  if (s.grid !== undefined) lines.push(`  grid ${s.grid}`);
  lines.push('end');

  if (spec.solvent !== undefined) lines.push('cosmo', `  solvent ${spec.solvent}`, 'end');
  if (optimize) {
    lines.push('driver', `  maxiter ${s.maxSteps ?? NWCHEM_DEFAULT_MAX_STEPS}`);
    if (s.optConvergence !== undefined) lines.push(`  ${s.optConvergence}`);
    lines.push('end');
  }
  lines.push(`task dft ${optimize ? 'optimize' : 'energy'}`);
  return { files: { [NWCHEM_INPUT]: `${lines.join('\n')}\n` }, argv: [NWCHEM_INPUT] };
}

/** A CalcSpec for a campaign's NWChem tier; charge and multiplicity come from the molecule. */
export function nwchemSpec(
  tier: Pick<NwchemTierConfig, 'method' | 'basis' | 'optimize' | 'settings'>,
  geom: Pick<Geometry, 'charge' | 'multiplicity'>,
): CalcSpec {
  return {
    code: 'nwchem',
    method: tier.method,
    basis: tier.basis,
    task: tier.optimize ? 'optimize' : 'energy',
    charge: geom.charge,
    multiplicity: geom.multiplicity,
    settings: { ...tier.settings },
  };
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** A number as NWChem prints it: Fortran D exponents allowed. */
const num = (s: string) => {
  const v = Number(s.replace(/[dD]/, 'e'));
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

function parse(out: RawOutput): CalcOutputs | CalcFailure {
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

// ---------------------------------------------------------------------------------------------------
// Restart handlers (run by runWithHandlers in ../handlers.ts, highest priority first)

/** Upper bounds: past these a handler gives up rather than escalate further. */
export const NWCHEM_HANDLER_LIMITS = { iterations: 300, damp: 70, levelShift: 1.0, maxSteps: 200 };

const current = (spec: CalcSpec, key: string, fallback: number): number => {
  const v = spec.settings[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/**
 * Slow but steady SCFs only need more iterations: three times as many, at least 100 and at most 300.
 * Nothing about the result changes, so it goes first.
 */
function moreIterations(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS);
  if (now >= NWCHEM_HANDLER_LIMITS.iterations) return undefined;
  const next = Math.min(Math.max(now * 3, 100), NWCHEM_HANDLER_LIMITS.iterations);
  return withSettings(spec, { iterations: next });
}

/**
 * Oscillating SCFs settle when part of the old density is mixed into the new: 40 %, then 70 %, throughout
 * the run (NWChem's default damps only the first 2 iterations). Damping slows convergence, so it also
 * makes sure of at least 100 iterations.
 */
function damping(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'damp', 0);
  const next = [40, NWCHEM_HANDLER_LIMITS.damp].find((d) => d > now);
  if (next === undefined) return undefined;
  const iterations = Math.max(current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS), 100);
  const { dampCycles: _dropped, ...settings } = spec.settings;
  return { ...spec, settings: { ...settings, damp: next, iterations } };
}

/**
 * A level shift of the virtual orbitals (0.5 Eh, then 1.0 Eh) stops occupied and virtual orbitals from
 * swapping between iterations, the usual trouble with small HOMO-LUMO gaps. Converges slowly, hence last,
 * with at least 100 iterations.
 */
function levelShift(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'levelShift', 0);
  const next = [0.5, NWCHEM_HANDLER_LIMITS.levelShift].find((l) => l > now);
  if (next === undefined) return undefined;
  const iterations = Math.max(current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS), 100);
  return withSettings(spec, { levelShift: next, iterations });
}

/**
 * An optimisation that runs out of steps gets twice as many (at most 200). Restarting from where it stopped
 * is the caller's job: this returns only the spec, and runWithHandlers starts the next attempt from the
 * failure's `lastGeometry` (the geometry NWChem printed last), which the parser fills in.
 */
function moreSteps(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'maxSteps', NWCHEM_DEFAULT_MAX_STEPS);
  if (now >= NWCHEM_HANDLER_LIMITS.maxSteps) return undefined;
  return withSettings(spec, { maxSteps: Math.min(now * 2, NWCHEM_HANDLER_LIMITS.maxSteps) });
}

export const nwchemHandlers: RestartHandler[] = [
  {
    name: 'nwchem-more-iterations',
    handles: ['scf-not-converged'],
    priority: 30,
    maxRestarts: 1,
    apply: moreIterations,
  },
  { name: 'nwchem-damping', handles: ['scf-not-converged'], priority: 20, maxRestarts: 2, apply: damping },
  {
    name: 'nwchem-level-shift',
    handles: ['scf-not-converged'],
    priority: 10,
    maxRestarts: 2,
    apply: levelShift,
  },
  {
    name: 'nwchem-more-steps',
    handles: ['opt-not-converged'],
    priority: 10,
    maxRestarts: 2,
    apply: moreSteps,
  },
];

export const nwchemTemplate: QmTemplate = { code: 'nwchem', write, parse, handlers: nwchemHandlers };
