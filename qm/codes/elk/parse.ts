/**
 * Reading Elk's outputs (checked against Elk 8.4.30 as packaged by Debian, `elk-lapw`).
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

import { EV_PER_HARTREE } from '../../../lib/domain/units.js';
import type { CalcFailure, CalcOutputs, RawOutput } from '../../template.js';
import { failure, fortranNumber, lastNumber as lastNumberOf, FORTRAN_NUM as NUM } from '../parsing.js';

function toNumber(s: string | undefined): number | undefined {
  const x = s === undefined ? Number.NaN : fortranNumber(s);
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

export function parseElkOutput(out: RawOutput): CalcOutputs | CalcFailure {
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
      result.bandGap = gap * EV_PER_HARTREE;
    }
  } else if (elkGap !== undefined) {
    const dos = lastNumber(info, new RegExp(`Density of states at Fermi energy\\s*:\\s*(${NUM})`));
    warnings.push(
      'EIGVAL.OUT missing or unreadable: metal or insulator judged from the density of states at the Fermi energy',
    );
    result.bandGap = dos !== undefined && dos > METALLIC_DOS ? 0 : elkGap * EV_PER_HARTREE;
  }
  return result;
}
