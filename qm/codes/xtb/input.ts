/**
 * xtb's input (checked against xtb 6.5.1 as packaged by Debian): `input.xyz` and argv `input.xyz --gfn 2|1 |
 * --gfnff --chrg C --uhf U [--alpb S] [--opt [level]] [...] --json`. Charge and spin go on the command line,
 * not in `.CHRG`/`.UHF` files, so that xtb's own "program call" line records them. Odd electron counts with
 * `--uhf 0` run without complaint (with fractional occupations), so `write` checks the spin parity itself.
 */
import { toXyz } from '../../molecule.js';
import { type CalcInputs, type CalcSpec, type Geometry, InvalidInputError } from '../../template.js';
import { checkGeometry, unpairedElectrons } from '../molecule-checks.js';
import { type XtbSettings, xtbSettings } from './settings.js';

const METHOD_ARGS: Record<string, string[]> = {
  gfn2: ['--gfn', '2'],
  gfn1: ['--gfn', '1'],
  gfnff: ['--gfnff'],
};
/** Solvent names go to argv; refuse anything xtb could read as an option. */
const SOLVENT = /^[a-z0-9][a-z0-9,-]*$/i;

/** Each setting's argv; optLevel goes right after --opt instead. */
const SETTING_ARGS: { [K in keyof Required<XtbSettings>]: (v: NonNullable<XtbSettings[K]>) => string[] } = {
  iterations: (v) => ['--iterations', String(v)],
  accuracy: (v) => ['--acc', String(v)],
  electronicTemperature: (v) => ['--etemp', String(v)],
  cycles: (v) => ['--cycles', String(v)],
  optLevel: () => [],
};

export function writeXtbInput(spec: CalcSpec, geom: Geometry): CalcInputs {
  if (spec.code !== 'xtb') throw new InvalidInputError(`xtb template got a spec for "${spec.code}"`);
  const method = METHOD_ARGS[spec.method];
  if (!method)
    throw new InvalidInputError(
      `unknown xtb method "${spec.method}" (use ${Object.keys(METHOD_ARGS).join(', ')})`,
    );
  if (spec.task !== 'energy' && spec.task !== 'optimize')
    throw new InvalidInputError(`unknown task "${spec.task}"`);
  checkGeometry(geom);
  const uhf = unpairedElectrons(spec, geom.symbols);
  const settings = xtbSettings(spec);
  const argv = ['input.xyz', ...method, '--chrg', String(spec.charge), '--uhf', String(uhf)];
  if (spec.solvent !== undefined) {
    if (!SOLVENT.test(spec.solvent)) throw new InvalidInputError(`invalid solvent name "${spec.solvent}"`);
    argv.push('--alpb', spec.solvent);
  }
  if (spec.task === 'optimize') {
    argv.push('--opt');
    if (settings.optLevel !== undefined) argv.push(settings.optLevel);
  }
  const keys = Object.keys(settings).sort() as Array<keyof XtbSettings>;
  for (const key of keys) {
    const value = settings[key];
    if (value !== undefined) argv.push(...(SETTING_ARGS[key] as (v: unknown) => string[])(value));
  }
  argv.push('--json');
  return { files: { 'input.xyz': toXyz(geom, 'cascade xtb input') }, argv };
}
