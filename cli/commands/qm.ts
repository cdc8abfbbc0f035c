/**
 * `cascade qm run`: one calculation through the same code layer and cache that campaigns use, for debugging
 * and for single jobs. `cascade qm doctor`: which codes are here, which versions, and what is missing.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { positiveInt, positiveNumber } from '../options.js';

export interface QmRunOptions {
  code?: string;
  codeFile?: string;
  method?: string;
  basis?: string;
  xyz?: string;
  smiles?: string;
  structure?: string;
  task: 'energy' | 'optimize';
  charge?: number;
  multiplicity?: number;
  solvent?: string;
  set: Record<string, unknown>;
  threads: number;
  timeout: number;
  recompute?: boolean;
  json?: boolean;
}

/** `--set key=value`, repeatable; numbers, booleans and JSON arrays are parsed, anything else stays a string. */
function setting(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value, e.g. --set iterations=200');
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // a plain string
  }
  return { ...previous, [value.slice(0, eq)]: parsed };
}

const integer = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number.');
  return n;
};

export function registerQm(program: Command): void {
  const qm = program.command('qm').description('run one calculation, or check which QM codes are installed');
  qm.command('run')
    .description('one calculation through the campaign code layer and cache; prints the result')
    .option(
      '--code <code>',
      'xtb, nwchem, elk, or NAME for a code described in $CASCADE_HOME/codes/NAME.yaml',
    )
    .option(
      '--code-file <file>',
      'a code described in YAML (e.g. configs/codes/xtb.yaml): molecules, task energy only',
    )
    .option('--method <method>', "e.g. gfn2 (xtb), b3lyp (nwchem), pbe (elk); default: the code's own")
    .option('--basis <basis>', 'basis set for Gaussian-basis codes, e.g. 6-31G*, cc-pVTZ')
    .option('--xyz <file>', 'molecule: an XYZ file (angstrom)')
    .option('--smiles <smiles>', 'molecule: a SMILES, embedded in 3D by Open Babel')
    .option('--structure <file>', 'crystal: JSON or extended XYZ (for elk)')
    .option('--task <task>', 'energy or optimize', 'energy')
    .option('--charge <n>', 'net charge (default: from the molecule, else 0)', integer)
    .option('--multiplicity <n>', 'spin multiplicity (default: lowest allowed)', positiveInt)
    .option('--solvent <name>', 'implicit solvent, where the code has one (xtb: ALPB)')
    .option('--set <key=value>', 'a code setting, repeatable (e.g. --set iterations=200)', setting, {})
    .option('--threads <n>', 'threads for the code', positiveInt, 1)
    .option('--timeout <seconds>', 'wall-clock limit', positiveNumber, 3600)
    .option(
      '--recompute',
      'run it even when the store has its result (without it, a stored failure answers unless it was a timeout or a kill under smaller limits)',
    )
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
Codes described in YAML (README, "QM codes"; examples in configs/codes/): --code-file FILE runs the
description in FILE, under the code name it declares; --code NAME, for a NAME that is not built in, reads
$CASCADE_HOME/codes/NAME.yaml. They compute single points (--task energy) on molecules; --method defaults to
the first of their methods; --set NAME=VALUE fills {{settings.NAME}}. Campaign tiers cannot use them yet.`,
    )
    .action(async (o: QmRunOptions) => {
      const { runOne } = await import('../qm-run.js');
      const result = await runOne(o);
      if (o.json) console.log(JSON.stringify(result));
      else
        for (const [k, v] of Object.entries(result))
          console.log(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
      if (result.status !== 'ok') process.exitCode = 1;
    });
  qm.command('doctor')
    .description('list each code found, its version, and what is missing with the package that provides it')
    .option('--json', 'print one JSON array')
    .action(async (o: { json?: boolean }) => {
      const { doctor } = await import('../qm-doctor.js');
      const rows = await doctor();
      if (o.json) console.log(JSON.stringify(rows));
      else {
        for (const r of rows) {
          console.log(
            r.found
              ? `ok       ${r.name.padEnd(8)} ${r.version.padEnd(10)} ${r.path}`
              : `missing  ${r.name.padEnd(8)} install with: apt-get install ${r.debianPackage}`,
          );
        }
      }
      if (rows.some((r) => !r.found)) process.exitCode = 1;
    });
}
