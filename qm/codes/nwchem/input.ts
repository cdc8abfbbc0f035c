/**
 * NWChem's input deck for Gaussian-basis DFT on molecules (checked against NWChem 7.0.2 as packaged by Debian).
 *
 * Inputs: one deck, `input.nw`, run as `nwchem input.nw` in the work directory (launch: profile.ts).
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
 */
import { normaliseSymbol } from '../../elements.js';
import { atomicNumber } from '../../molecule.js';
import {
  type CalcInputs,
  type CalcSpec,
  type Geometry,
  InvalidInputError,
  type Vec3,
} from '../../template.js';
import { checkGeometry, unpairedElectrons } from '../molecule-checks.js';
import { XC_ALIASES } from './library.js';
import { NWCHEM_DEFAULT_ITERATIONS, NWCHEM_DEFAULT_MAX_STEPS, nwchemSettings } from './settings.js';

/** The deck's file name in the work directory. */
export const NWCHEM_INPUT = 'input.nw';
/** NWChem's file prefix (`start cascade`): cascade.db, cascade.movecs, ... */
const PREFIX = 'cascade';

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

export function writeNwchemInput(spec: CalcSpec, geom: Geometry): CalcInputs {
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
  const s = nwchemSettings(spec);
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
