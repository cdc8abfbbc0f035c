/**
 * The Elk template (all-electron FP-LAPW; checked against Elk 8.4.30 as packaged by Debian, `elk-lapw`).
 *
 * Inputs: one file, `elk.in`, and no arguments (Elk reads elk.in from its working directory). Written:
 * `tasks` 0 (ground state from atomic densities), `xctype`, `avec` (bohr, rows a1..a3), `sppath` (the
 * species directory, quoted, ending in '/'), `atoms` (grouped by species in order of first appearance,
 * fractional coordinates), `rgkmax` and `ngridk` always; the other settings only when given, so Elk's own
 * defaults apply otherwise.
 *
 * Outputs, as observed in 8.4.30:
 * - Elk exits 0 even when it stops on an error. Errors are "Error(routine): what" lines on stdout (stderr
 *   stays empty); a normal end prints "Elk code stopped" on stdout.
 * - An unconverged SCF is no error either: stdout says "Warning(gndstate): failed to reach
 *   self-consistency after N loops", INFO.OUT "Reached self-consistent loops maximum", and the outputs of
 *   the last loop are written as usual.
 * - TOTENERGY.OUT holds the total energy (hartree) of every loop, EFERMI.OUT the last Fermi energy
 *   (hartree), GAP.OUT Elk's band-gap estimate per loop; INFO.OUT repeats them per loop ("total energy",
 *   "Fermi", "Estimated indirect band gap") with the loop number.
 * - Elk's "Estimated indirect band gap" is the lowest eigenvalue above the Fermi energy minus the highest
 *   one below it, over the k-point set. For a metal this is a small positive number (fcc Al: 0.038 Ha
 *   on a 6x6x6 mesh), not 0. The parser therefore decides metal or insulator from EIGVAL.OUT: a crystal is
 *   insulating when every k-point has the same number of states below the Fermi energy and those states
 *   hold exactly the valence charge; otherwise the band gap is 0.
 * - A converged run does one more loop after "Convergence targets achieved"; the iteration count is the
 *   last loop number (= the number of lines in TOTENERGY.OUT).
 * - The manual gives adaptive linear mixing (mixtype 1) as the default, but 8.4.30 uses Broyden mixing
 *   (mixtype 3; INFO.OUT: "Mixing type : 3"), which ignores beta0 and betamax. The mixing settings are
 *   therefore tied to a mixing scheme: `beta0`/`betamax` need mixing 'adaptive' or 'linear', and
 *   `broydenAlpha` needs 'broyden'.
 */

import { checkCrystal, StructureError } from '../structure.js';
import type {
  CalcFailure,
  CalcInputs,
  CalcOutputs,
  CalcSpec,
  Crystal,
  QmTemplate,
  RawOutput,
  RestartHandler,
} from '../template.js';
import { InvalidInputError } from '../template.js';
import { elkSpeciesDir } from './elk-profile.js';
import { failure, lastNumber as lastNumberOf, FORTRAN_NUM as NUM } from './parsing.js';

export const HARTREE_EV = 27.211386245988;

/** spec.method -> Elk's xctype. */
export const ELK_XCTYPES: Record<string, number> = {
  /** LDA, Perdew-Wang 1992 parametrisation of Ceperley-Alder (Elk's default functional). */
  lda: 3,
  /** GGA, Perdew-Burke-Ernzerhof 1996. */
  pbe: 20,
  /** GGA, PBEsol 2008. */
  pbesol: 22,
};

export const ELK_SMEARING: Record<string, number> = {
  gaussian: 0,
  'methfessel-paxton': 1,
  'methfessel-paxton-2': 2,
  'fermi-dirac': 3,
};

export const ELK_MIXING: Record<string, number> = { linear: 0, adaptive: 1, broyden: 3 };

/** Defaults cascade writes explicitly (so elk.in says what was computed). */
export const ELK_DEFAULTS = { rgkmax: 7, kpoints: [4, 4, 4] as [number, number, number] };
/** Elk 8.4.30's own defaults for settings cascade leaves out; the restart handlers start from them. */
export const ELK_BUILTIN = {
  maxscl: 200,
  smearingWidth: 0.001,
  beta0: 0.05,
  betamax: 0.5,
  broydenAlpha: 0.4,
  broydenW0: 0.15,
};

export interface ElkSettings {
  /** R_MT(min) x max|G+k|, the basis-size parameter (Elk default 7). */
  rgkmax?: number;
  /** k-point mesh (ngridk), default [4, 4, 4]. */
  kpoints?: [number, number, number];
  /** k-mesh offset (vkloff), components in [0, 1). */
  kpointOffset?: [number, number, number];
  /** Smearing function (stype); Elk's default is Fermi-Dirac. */
  smearing?: keyof typeof ELK_SMEARING;
  /** Smearing width (swidth), hartree; Elk's default 0.001. */
  smearingWidth?: number;
  /** Maximum SCF loops (maxscl); Elk's default 200. */
  maxscl?: number;
  /** Total-energy convergence (epsengy), hartree; Elk's default 1e-4. */
  epsengy?: number;
  /** Potential convergence (epspot); Elk's default 1e-6. */
  epspot?: number;
  /** Mixing scheme (mixtype); Elk 8.4.30 uses Broyden unless told otherwise. */
  mixing?: keyof typeof ELK_MIXING;
  /** Initial adaptive/linear mixing parameter; needs mixing 'adaptive' or 'linear'. */
  beta0?: number;
  /** Maximum adaptive mixing parameter; needs mixing 'adaptive'. */
  betamax?: number;
  /** Broyden mixing parameter alpha (broydpm(1), w0 stays 0.15); needs mixing 'broyden' (the default). */
  broydenAlpha?: number;
  /** Empty states per atom (nempty); Elk's default 4. */
  nempty?: number;
  /** Largest |G| of the interstitial density and potential (gmaxvr), bohr^-1; Elk's default 12. Must
   * exceed 2 x rgkmax / R_MT(min), so a basis-set ladder to large rgkmax needs a larger value. */
  gmaxvr?: number;
  /** Elk finds the linearisation energies itself (autolinengy). Converged SrSe at rgkmax 6 in 20 loops where the
   * species files' energies met ghost states and ran out of time; it changes total energies (SrSe at rgkmax 7 by
   * 3.9 mHa/cell), so a basis-set ladder must use it at every rung or none. */
  autoLinearisationEnergies?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Writing

const bad = (msg: string) => new InvalidInputError(`elk: ${msg}`);

function positiveNumber(name: string, v: unknown, max = Number.POSITIVE_INFINITY): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw bad(
      `setting ${name} must be a positive number${max < Number.POSITIVE_INFINITY ? ` <= ${max}` : ''}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function positiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1)
    throw bad(`setting ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function triple(
  name: string,
  v: unknown,
  ok: (x: number) => boolean,
  what: string,
): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && ok(x))) {
    throw bad(`setting ${name} must be three ${what}, got ${JSON.stringify(v)}`);
  }
  return v as [number, number, number];
}

function choice<T extends Record<string, number>>(name: string, v: unknown, table: T): keyof T & string {
  if (typeof v !== 'string' || !(v in table)) {
    throw bad(`setting ${name} must be one of ${Object.keys(table).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Fixed-point with enough digits to round-trip what matters (1e-10 bohr or fraction), without "-0". */
function num(x: number, decimals = 10): string {
  const s = x.toFixed(decimals);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** A setting value as Elk's list-directed read takes it (JS's shortest form; "1e-7" reads fine in Fortran). */
function real(x: number): string {
  return String(x);
}

const SETTING_NAMES: ReadonlyArray<keyof ElkSettings> = [
  'rgkmax',
  'kpoints',
  'kpointOffset',
  'smearing',
  'smearingWidth',
  'maxscl',
  'epsengy',
  'epspot',
  'mixing',
  'beta0',
  'betamax',
  'broydenAlpha',
  'nempty',
  'gmaxvr',
  'autoLinearisationEnergies',
];

/** The settings, checked; throws InvalidInputError for unknown keys or values Elk would reject or ignore. */
export function elkSettings(raw: Record<string, unknown>): ElkSettings {
  const unknown = Object.keys(raw).filter((k) => !(SETTING_NAMES as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw bad(`unknown setting(s) ${unknown.join(', ')} (known: ${SETTING_NAMES.join(', ')})`);
  const s: ElkSettings = {};
  const has = (k: keyof ElkSettings) => raw[k] !== undefined;
  if (has('rgkmax')) s.rgkmax = positiveNumber('rgkmax', raw.rgkmax, 20);
  if (has('kpoints'))
    s.kpoints = triple('kpoints', raw.kpoints, (x) => Number.isInteger(x) && x >= 1, 'positive integers');
  if (has('kpointOffset'))
    s.kpointOffset = triple(
      'kpointOffset',
      raw.kpointOffset,
      (x) => Number.isFinite(x) && x >= 0 && x < 1,
      'numbers in [0, 1)',
    );
  if (has('smearing')) s.smearing = choice('smearing', raw.smearing, ELK_SMEARING);
  if (has('smearingWidth')) s.smearingWidth = positiveNumber('smearingWidth', raw.smearingWidth, 1);
  if (has('maxscl')) s.maxscl = positiveInt('maxscl', raw.maxscl);
  if (has('epsengy')) s.epsengy = positiveNumber('epsengy', raw.epsengy);
  if (has('epspot')) s.epspot = positiveNumber('epspot', raw.epspot);
  if (has('mixing')) s.mixing = choice('mixing', raw.mixing, ELK_MIXING);
  if (has('beta0')) s.beta0 = positiveNumber('beta0', raw.beta0, 1);
  if (has('betamax')) s.betamax = positiveNumber('betamax', raw.betamax, 1);
  if (has('broydenAlpha')) s.broydenAlpha = positiveNumber('broydenAlpha', raw.broydenAlpha, 1);
  if (has('nempty')) s.nempty = positiveNumber('nempty', raw.nempty);
  if (has('gmaxvr')) s.gmaxvr = positiveNumber('gmaxvr', raw.gmaxvr, 60);
  if (has('autoLinearisationEnergies')) {
    if (typeof raw.autoLinearisationEnergies !== 'boolean')
      throw bad(
        `setting autoLinearisationEnergies must be true or false, got ${JSON.stringify(raw.autoLinearisationEnergies)}`,
      );
    s.autoLinearisationEnergies = raw.autoLinearisationEnergies;
  }
  const mixing = s.mixing ?? 'broyden';
  if (s.beta0 !== undefined && mixing === 'broyden') {
    throw bad(
      "setting beta0 has no effect with Broyden mixing (Elk 8.4.30's default); set mixing to 'adaptive' or 'linear'",
    );
  }
  if (s.betamax !== undefined && mixing !== 'adaptive') throw bad("setting betamax needs mixing 'adaptive'");
  if (s.broydenAlpha !== undefined && mixing !== 'broyden')
    throw bad("setting broydenAlpha needs mixing 'broyden'");
  if (mixing === 'adaptive' && (s.beta0 ?? ELK_BUILTIN.beta0) > (s.betamax ?? ELK_BUILTIN.betamax)) {
    throw bad('setting beta0 must not exceed betamax');
  }
  return s;
}

function block(name: string, ...lines: string[]): string {
  return `${name}\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/**
 * elk.in for a ground-state run. `speciesDir` (with or without the trailing '/') is where Elk looks for
 * `<Symbol>.in`; by default $CASCADE_ELK_SPECIES or Debian's /usr/share/elk-lapw/species/.
 */
export function writeElkInput(
  spec: CalcSpec,
  crystal: Crystal,
  speciesDir: string = elkSpeciesDir(),
): string {
  if (spec.code !== 'elk') throw bad(`template got a spec for "${spec.code}"`);
  const xctype = ELK_XCTYPES[spec.method];
  if (xctype === undefined)
    throw bad(`unknown method "${spec.method}" (use ${Object.keys(ELK_XCTYPES).join(', ')})`);
  if (spec.task !== 'energy')
    throw bad(`task "${spec.task}" is not supported (only "energy", a ground-state run)`);
  if (spec.solvent !== undefined) throw bad('solvents do not apply to crystals');
  if (spec.basis !== undefined)
    throw bad(`Elk has no named basis sets (got "${spec.basis}"); use setting rgkmax`);
  if (!Number.isInteger(spec.charge)) throw bad(`charge must be an integer, got ${spec.charge}`);
  if (spec.multiplicity !== 1) {
    throw bad(`multiplicity ${spec.multiplicity}: only spin-unpolarised runs (multiplicity 1) are supported`);
  }
  let c: Crystal;
  try {
    c = checkCrystal(crystal, 'elk crystal');
  } catch (e) {
    if (e instanceof StructureError) throw new InvalidInputError(e.message);
    throw e;
  }
  if (/['\n\r]/.test(speciesDir) || speciesDir === '')
    throw bad(`species directory "${speciesDir}" cannot be quoted for elk.in`);
  const sppath = speciesDir.endsWith('/') ? speciesDir : `${speciesDir}/`;
  const s = elkSettings(spec.settings);

  const species: string[] = [];
  for (const sym of c.symbols) if (!species.includes(sym)) species.push(sym);
  const atoms = [String(species.length)];
  for (const sym of species) {
    const positions = c.fractional.filter((_, i) => c.symbols[i] === sym);
    atoms.push(
      `'${sym}.in'`,
      String(positions.length),
      ...positions.map((f) => f.map((x) => num(x)).join('  ')),
    );
  }

  const parts = [
    block('tasks', '0'),
    block('xctype', String(xctype)),
    block('avec', ...c.lattice.map((v) => v.map((x) => num(x)).join('  '))),
    block('sppath', `'${sppath}'`),
    block('atoms', ...atoms),
    block('rgkmax', real(s.rgkmax ?? ELK_DEFAULTS.rgkmax)),
    block('ngridk', (s.kpoints ?? ELK_DEFAULTS.kpoints).join('  ')),
  ];
  if (s.kpointOffset) parts.push(block('vkloff', s.kpointOffset.map(real).join('  ')));
  if (s.smearing !== undefined) parts.push(block('stype', String(ELK_SMEARING[s.smearing])));
  if (s.smearingWidth !== undefined) parts.push(block('swidth', real(s.smearingWidth)));
  if (s.maxscl !== undefined) parts.push(block('maxscl', String(s.maxscl)));
  if (s.epsengy !== undefined) parts.push(block('epsengy', real(s.epsengy)));
  if (s.epspot !== undefined) parts.push(block('epspot', real(s.epspot)));
  if (s.mixing !== undefined) parts.push(block('mixtype', String(ELK_MIXING[s.mixing])));
  if (s.beta0 !== undefined) parts.push(block('beta0', real(s.beta0)));
  if (s.betamax !== undefined) parts.push(block('betamax', real(s.betamax)));
  if (s.broydenAlpha !== undefined)
    parts.push(block('broydpm', `${real(s.broydenAlpha)}  ${real(ELK_BUILTIN.broydenW0)}`));
  if (s.nempty !== undefined) parts.push(block('nempty', real(s.nempty)));
  if (s.gmaxvr !== undefined) parts.push(block('gmaxvr', real(s.gmaxvr)));
  if (s.autoLinearisationEnergies !== undefined)
    parts.push(block('autolinengy', s.autoLinearisationEnergies ? '.true.' : '.false.'));
  // chgexs is the excess *electronic* charge: a cell with charge +1 has one electron fewer.
  if (spec.charge !== 0) parts.push(block('chgexs', real(-spec.charge)));
  // Elk reads blocks until the end of the file; each block ends at a blank line.
  return `${parts.join('\n')}\n`;
}

function write(spec: CalcSpec, crystal: Crystal): CalcInputs {
  return { files: { 'elk.in': writeElkInput(spec, crystal) }, argv: [] };
}

// ---------------------------------------------------------------------------------------------------
// Parsing

function toNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const x = Number(s.replace(/[dD]/, 'e'));
  return Number.isFinite(x) ? x : undefined;
}

function lastNumber(text: string | undefined, re: RegExp): number | undefined {
  return text === undefined ? undefined : lastNumberOf(text, re, toNumber);
}

/** The numbers of a one-value-per-line Elk file (TOTENERGY.OUT, GAP.OUT, EFERMI.OUT). */
function columnValues(text: string | undefined): number[] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => toNumber(l.split(/\s+/)[0]) ?? Number.NaN);
}

/** "Error(routine): what" on stdout, with the explanation lines that follow it up to a blank line. */
export function elkErrors(stdout: string): Array<{ routine: string; message: string }> {
  const out: Array<{ routine: string; message: string }> = [];
  const lines = stdout.split('\n');
  lines.forEach((line, i) => {
    const m = /^\s*Error\(([^)]*)\):?\s*(.*)$/.exec(line);
    if (!m) return;
    const more: string[] = [];
    for (let j = i + 1; j < lines.length && (lines[j] ?? '').trim() !== ''; j++)
      more.push((lines[j] ?? '').trim());
    out.push({ routine: m[1] ?? '', message: [(m[2] ?? '').trim(), ...more].filter(Boolean).join('; ') });
  });
  return out;
}

/** "Warning(routine): what" lines on stdout. */
function elkWarnings(stdout: string): string[] {
  return [...stdout.matchAll(/^\s*(Warning\([^)]*\):?.*)$/gm)].map((m) =>
    (m[1] ?? '').trim().replace(/\s+/g, ' '),
  );
}

/** Routines whose errors mean the input (elk.in, species files, structure) is unusable. */
const INPUT_ROUTINES = new Set([
  'readinput',
  'readspecies',
  'init0',
  'getxcdata',
  'getsdata',
  'getmixdata',
  'checkmt',
  'reciplat',
  'findprimcell',
  'gridsize',
]);

function classify(out: RawOutput): CalcFailure | undefined {
  const { stdout, stderr, exitCode } = out;
  const errors = elkErrors(stdout);
  const errorText = errors.map((e) => `Error(${e.routine}): ${e.message}`).join('; ');
  if (exitCode === null) {
    return failure('killed', `elk was terminated by a signal${errorText ? `: ${errorText}` : ''}`, true);
  }
  const missingSpecies = errors.find(
    (e) => e.routine === 'readspecies' && /error opening species file/.test(e.message),
  );
  if (missingSpecies) {
    const file = /error opening species file\s+(\S+)/.exec(missingSpecies.message)?.[1] ?? '?';
    return failure(
      'invalid-input',
      `elk: missing species file ${file} (no such element in the species directory, or a wrong sppath)`,
      false,
    );
  }
  const inputError = errors.find((e) => INPUT_ROUTINES.has(e.routine));
  if (inputError) return failure('invalid-input', `elk rejected the input: ${errorText}`, false);
  if (errors.length > 0) return failure('unknown', `elk stopped with ${errorText}`, false);
  if (exitCode !== 0) {
    const why = stderr.trim().split('\n').slice(-3).join(' ') || stdout.trim().split('\n').slice(-1)[0] || '';
    return failure('unknown', `elk exited with code ${exitCode}${why ? `: ${why}` : ''}`, false);
  }
  const info = out.files('INFO.OUT');
  const warned = /Warning\(gndstate\): failed to reach self-consistency after\s+(\d+)\s+loops/.exec(stdout);
  if (warned || (info !== undefined && /Reached self-consistent loops maximum/.test(info))) {
    const loops = toNumber(warned?.[1]) ?? lastNumber(info, /Loop number\s*:\s*(\d+)/);
    const dpot = lastNumber(
      info,
      new RegExp(`RMS change in Kohn-Sham potential \\(target\\)\\s*:\\s*(${NUM})`),
    );
    // Elk prints the changes only from the third loop on; TOTENERGY.OUT has every loop's energy.
    const energies = columnValues(out.files('TOTENERGY.OUT'));
    const deng =
      lastNumber(info, new RegExp(`Absolute change in total energy \\(target\\)\\s*:\\s*(${NUM})`)) ??
      (energies.length >= 2
        ? Math.abs((energies.at(-1) as number) - (energies.at(-2) as number))
        : undefined);
    const last = [
      dpot !== undefined && `last RMS potential change ${dpot}`,
      deng !== undefined && `last energy change ${deng} Ha`,
    ]
      .filter(Boolean)
      .join(', ');
    return failure(
      'scf-not-converged',
      `elk SCF did not converge in ${loops ?? '?'} loops${last ? ` (${last})` : ''}`,
      true,
    );
  }
  if (!/Elk code stopped/.test(stdout)) {
    const tail = stdout.trim().split('\n').slice(-1)[0] ?? '';
    return failure(
      'unknown',
      `elk ended without "Elk code stopped"${tail ? ` (last line: "${tail.trim()}")` : ''}`,
      false,
    );
  }
  return undefined;
}

interface KPointStates {
  /** [eigenvalue, occupancy] per state. */
  states: Array<[number, number]>;
}

/** EIGVAL.OUT: per k-point, state eigenvalues (hartree) and occupancies. */
export function parseEigval(text: string): KPointStates[] {
  const kpoints: KPointStates[] = [];
  let current: KPointStates | undefined;
  for (const line of text.split('\n')) {
    if (/k-point, vkl/.test(line)) {
      current = { states: [] };
      kpoints.push(current);
      continue;
    }
    if (!current) continue;
    const cols = line.trim().split(/\s+/);
    if (cols.length === 3 && /^\d+$/.test(cols[0] ?? '')) {
      const e = toNumber(cols[1]);
      const occ = toNumber(cols[2]);
      if (e !== undefined && occ !== undefined) current.states.push([e, occ]);
    }
  }
  return kpoints;
}

export interface GapAnalysis {
  metallic: boolean;
  /** Lowest state above minus highest state at or below the Fermi energy, hartree (Elk's "indirect gap"). */
  gap: number;
  /** Why the crystal was judged metallic. */
  reason?: string;
}

/**
 * Metal or insulator from the eigenvalues: insulating when every k-point has the same number of states
 * at or below the Fermi energy and, with `maxOccupancy` electrons per state, they hold the valence charge.
 */
export function analyseGap(
  kpoints: KPointStates[],
  fermi: number,
  valenceCharge: number | undefined,
  maxOccupancy = 2,
): GapAnalysis | undefined {
  if (kpoints.length === 0 || kpoints.some((k) => k.states.length === 0)) return undefined;
  let highestBelow = Number.NEGATIVE_INFINITY;
  let lowestAbove = Number.POSITIVE_INFINITY;
  const counts = new Set<number>();
  for (const k of kpoints) {
    let below = 0;
    for (const [e] of k.states) {
      if (e <= fermi) {
        below++;
        highestBelow = Math.max(highestBelow, e);
      } else lowestAbove = Math.min(lowestAbove, e);
    }
    counts.add(below);
  }
  if (!Number.isFinite(lowestAbove) || !Number.isFinite(highestBelow)) {
    return {
      metallic: true,
      gap: 0,
      reason: 'no states on one side of the Fermi energy (too few empty states?)',
    };
  }
  const gap = lowestAbove - highestBelow;
  if (counts.size > 1) {
    return {
      metallic: true,
      gap,
      reason: `bands cross the Fermi energy (${[...counts].sort((a, b) => a - b).join(' or ')} states below it across k-points)`,
    };
  }
  const filled = [...counts][0] ?? 0;
  if (valenceCharge !== undefined && Math.abs(filled * maxOccupancy - valenceCharge) > 1e-6) {
    return {
      metallic: true,
      gap,
      reason: `${filled} filled states do not hold the ${valenceCharge} valence electrons`,
    };
  }
  return { metallic: false, gap };
}

/** States per hartree per cell at the Fermi energy above which a crystal is taken as metallic (fallback only). */
const METALLIC_DOS = 1e-3;

function parse(out: RawOutput): CalcOutputs | CalcFailure {
  const failed = classify(out);
  if (failed) return failed;
  const warnings = elkWarnings(out.stdout);
  const info = out.files('INFO.OUT');
  if (info === undefined) return failure('unknown', 'elk finished but wrote no INFO.OUT', false);

  const infoEnergy = lastNumber(info, new RegExp(`^\\s*total energy\\s*:\\s*(${NUM})`, 'm'));
  const energies = columnValues(out.files('TOTENERGY.OUT'));
  const fileEnergy = energies.at(-1);
  const totalEnergy = fileEnergy !== undefined && Number.isFinite(fileEnergy) ? fileEnergy : infoEnergy;
  if (totalEnergy === undefined)
    return failure('unknown', 'elk finished but reported no total energy', false);
  if (infoEnergy !== undefined && Math.abs(infoEnergy - totalEnergy) > 1e-6) {
    warnings.push(`total energy: TOTENERGY.OUT says ${totalEnergy}, INFO.OUT says ${infoEnergy}`);
  }
  const result: CalcOutputs = { totalEnergy, warnings };

  const fermi =
    columnValues(out.files('EFERMI.OUT')).at(-1) ??
    lastNumber(info, new RegExp(`^\\s*Fermi\\s*:\\s*(${NUM})`, 'm'));
  if (fermi !== undefined && Number.isFinite(fermi)) result.fermiEnergy = fermi;

  const loops = lastNumber(info, /Loop number\s*:\s*(\d+)/);
  if (loops !== undefined) result.scfIterations = loops;
  else if (energies.length > 0) result.scfIterations = energies.length;

  const elkGap =
    lastNumber(info, new RegExp(`Estimated indirect band gap\\s*:\\s*(${NUM})`)) ??
    columnValues(out.files('GAP.OUT')).at(-1);
  // valence electrons including any excess charge (chgexs)
  const electrons = lastNumber(info, new RegExp(`Total electronic charge\\s*:\\s*(${NUM})`));
  const core = lastNumber(info, new RegExp(`Total core charge\\s*:\\s*(${NUM})`));
  const valence = electrons !== undefined && core !== undefined ? electrons - core : undefined;
  const spinPolarised = /Spin treatment\s*:\s*\n\s*spin-polarised/.test(info);
  const eigval = out.files('EIGVAL.OUT');
  const analysis =
    eigval !== undefined && result.fermiEnergy !== undefined
      ? analyseGap(parseEigval(eigval), result.fermiEnergy, valence, spinPolarised ? 1 : 2)
      : undefined;
  if (analysis) {
    if (analysis.metallic) result.bandGap = 0;
    else {
      const gap = elkGap ?? analysis.gap;
      if (elkGap !== undefined && Math.abs(elkGap - analysis.gap) > 1e-6) {
        warnings.push(`band gap: INFO.OUT says ${elkGap} Ha, EIGVAL.OUT gives ${analysis.gap} Ha`);
      }
      result.bandGap = gap * HARTREE_EV;
    }
  } else if (elkGap !== undefined) {
    const dos = lastNumber(info, new RegExp(`Density of states at Fermi energy\\s*:\\s*(${NUM})`));
    warnings.push(
      'EIGVAL.OUT missing or unreadable: metal or insulator judged from the density of states at the Fermi energy',
    );
    result.bandGap = dos !== undefined && dos > METALLIC_DOS ? 0 : elkGap * HARTREE_EV;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Restart handlers

/** The spec with some settings replaced (undefined values removed). */
function withSettings(spec: CalcSpec, changes: Record<string, unknown>): CalcSpec {
  const settings: Record<string, unknown> = { ...spec.settings, ...changes };
  for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];
  return { ...spec, settings };
}

/** Most SCF loops the handlers will ask for. */
export const ELK_MAX_SCL = 1000;
/** Smallest Broyden alpha and beta0 the mixing handler goes down to. */
export const ELK_MIN_BROYDEN_ALPHA = 0.05;
export const ELK_MIN_BETA0 = 0.005;

/** More SCF loops: at least Elk's default 200, else twice the last limit, up to ELK_MAX_SCL. */
export const elkMoreScfLoops: RestartHandler = {
  name: 'elk-more-scf-loops',
  handles: ['scf-not-converged'],
  priority: 30,
  maxRestarts: 2,
  apply(spec) {
    const current = typeof spec.settings.maxscl === 'number' ? spec.settings.maxscl : ELK_BUILTIN.maxscl;
    if (current >= ELK_MAX_SCL) return undefined;
    return withSettings(spec, { maxscl: Math.min(ELK_MAX_SCL, Math.max(ELK_BUILTIN.maxscl, 2 * current)) });
  },
};

/**
 * Gentler mixing: halves the Broyden alpha (Elk's default scheme) or, under adaptive/linear mixing,
 * beta0 (keeping betamax >= beta0), down to ELK_MIN_BROYDEN_ALPHA / ELK_MIN_BETA0.
 */
export const elkGentlerMixing: RestartHandler = {
  name: 'elk-gentler-mixing',
  handles: ['scf-not-converged'],
  priority: 20,
  maxRestarts: 3,
  apply(spec) {
    const mixing = typeof spec.settings.mixing === 'string' ? spec.settings.mixing : 'broyden';
    if (mixing === 'broyden') {
      const alpha =
        typeof spec.settings.broydenAlpha === 'number'
          ? spec.settings.broydenAlpha
          : ELK_BUILTIN.broydenAlpha;
      if (alpha <= ELK_MIN_BROYDEN_ALPHA) return undefined;
      return withSettings(spec, { broydenAlpha: Math.max(ELK_MIN_BROYDEN_ALPHA, alpha / 2) });
    }
    const beta0 = typeof spec.settings.beta0 === 'number' ? spec.settings.beta0 : ELK_BUILTIN.beta0;
    if (beta0 <= ELK_MIN_BETA0) return undefined;
    return withSettings(spec, { beta0: Math.max(ELK_MIN_BETA0, beta0 / 2) });
  },
};

/** Smearing widths (hartree) the smearing handler steps through after Elk's default 0.001. */
export const ELK_SMEARING_LADDER = [0.003, 0.01];

/** More smearing: the next width on ELK_SMEARING_LADDER. Changes the answer slightly, so it is tried last. */
export const elkMoreSmearing: RestartHandler = {
  name: 'elk-more-smearing',
  handles: ['scf-not-converged'],
  priority: 10,
  maxRestarts: 2,
  apply(spec) {
    const width =
      typeof spec.settings.smearingWidth === 'number'
        ? spec.settings.smearingWidth
        : ELK_BUILTIN.smearingWidth;
    const next = ELK_SMEARING_LADDER.find((w) => w > width + 1e-12);
    return next === undefined ? undefined : withSettings(spec, { smearingWidth: next });
  },
};

export const elkHandlers: RestartHandler[] = [elkMoreScfLoops, elkGentlerMixing, elkMoreSmearing];

export const elkTemplate: QmTemplate<Crystal> = { code: 'elk', write, parse, handlers: elkHandlers };

/** A ground-state spec for a crystal (charge 0, spin-unpolarised). */
export function elkSpec(method: keyof typeof ELK_XCTYPES = 'pbe', settings: ElkSettings = {}): CalcSpec {
  return { code: 'elk', method, task: 'energy', charge: 0, multiplicity: 1, settings: { ...settings } };
}
