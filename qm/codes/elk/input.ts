/**
 * Elk's input for a ground-state run (all-electron FP-LAPW; checked against Elk 8.4.30 as packaged by Debian,
 * `elk-lapw`).
 *
 * Inputs: one file, `elk.in`, and no arguments (Elk reads elk.in from its working directory). Written:
 * `tasks` 0 (ground state from atomic densities), `xctype`, `avec` (bohr, rows a1..a3), `sppath` (the
 * species directory, quoted, ending in '/'), `atoms` (grouped by species in order of first appearance,
 * fractional coordinates), `rgkmax` and `ngridk` always; the other settings only when given, so Elk's own
 * defaults apply otherwise.
 */
import { checkCrystal, StructureError } from '../../structure.js';
import { type CalcInputs, type CalcSpec, type Crystal, InvalidInputError } from '../../template.js';
import { elkSpeciesDir } from './profile.js';
import {
  elkError as bad,
  ELK_BUILTIN,
  ELK_MIXING,
  ELK_SMEARING,
  ELK_XCTYPES,
  elkSettings,
} from './settings.js';

export { ELK_XCTYPES };

/** Defaults cascade writes explicitly (so elk.in says what was computed). */
export const ELK_DEFAULTS = { rgkmax: 7, kpoints: [4, 4, 4] as [number, number, number] };
/** Fixed-point with enough digits to round-trip what matters (1e-10 bohr or fraction), without "-0". */
function num(x: number, decimals = 10): string {
  const s = x.toFixed(decimals);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** A setting value as Elk's list-directed read takes it (JS's shortest form; "1e-7" reads fine in Fortran). */
function real(x: number): string {
  return String(x);
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

export function writeElk(spec: CalcSpec, crystal: Crystal): CalcInputs {
  return { files: { 'elk.in': writeElkInput(spec, crystal) }, argv: [] };
}
