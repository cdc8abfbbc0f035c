/**
 * Reading xtb's outputs, as observed in 6.5.1 as packaged by Debian:
 * - `xtbout.json` holds total energy and HOMO-LUMO gap with 8 decimals (stdout prints 12), the dipole
 *   vector in atomic units (e*bohr, not debye) and partial charges. GFN-FF writes no JSON at all.
 * - After `--opt`, the JSON's "dipole" (and "electronic energy") are stale: they belong to the input
 *   geometry, while energy, gap and charges are the final ones. The dipole is therefore cross-checked
 *   against stdout's last "molecular dipole" block and stdout wins when they disagree.
 * - An unconverged optimisation exits 0 with "normal termination" and still writes `.xtboptok`; only
 *   stdout's "FAILED TO CONVERGE GEOMETRY OPTIMIZATION" says so. Its `xtbopt.xyz` is the last geometry,
 *   returned as the failure's `lastGeometry` for a restart (no `xtblast.xyz` is written).
 * - Unknown options, or `--gfn 3`, only warn ("Please study the warnings concerning your input") and
 *   run something else; that warning is treated as invalid input.
 * - Fatal errors exit 1 with "abnormal termination of xtb" on stderr and "-N- where: what" lines on
 *   stdout; SIGTERM/SIGINT are caught ("external termination of xtb") and also exit 1.
 */
import { DEBYE_PER_AU } from '../../../lib/domain/units.js';
import { parseXyz } from '../../molecule.js';
import type { CalcFailure, CalcOutputs, RawOutput, Vec3 } from '../../template.js';
import { failure, lastMatch, lastNumber, NUM } from '../parsing.js';

/** "-N- where: what" lines of xtb's [ERROR]/[WARNING] blocks following `header`, innermost (-1-) first. */
function blockLines(stdout: string, header: RegExp): string[] {
  const out: string[] = [];
  const lines = stdout.split('\n');
  lines.forEach((line, i) => {
    if (!header.test(line)) return;
    const block: Array<[number, string]> = [];
    for (let j = i + 1; j < lines.length && !/^#{10,}/.test(lines[j] ?? ''); j++) {
      const m = /^-(\d+)-\s*(.*)$/.exec((lines[j] ?? '').trim());
      if (m) block.push([Number(m[1]), (m[2] ?? '').trim()]);
    }
    out.push(...block.sort((a, b) => a[0] - b[0]).map(([, text]) => text));
  });
  return out;
}

interface StdoutDipole {
  /** atomic units, 3 decimals */
  vector: Vec3;
  /** debye, 3 decimals */
  total: number;
}

/** The last dipole printed: GFN2 "molecular dipole:" block ("full:" row) or GFN1 "dipole moment from electron density". */
function stdoutDipole(stdout: string): StdoutDipole | undefined {
  const gfn2 = lastMatch(
    stdout,
    new RegExp(
      `molecular dipole:[^\\n]*\\n[^\\n]*\\n[^\\n]*\\n\\s*full:\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})`,
    ),
  );
  const gfn1 = lastMatch(
    stdout,
    new RegExp(
      `dipole moment from electron density \\(au\\)\\s*\\n[^\\n]*\\n\\s*(${NUM})\\s+(${NUM})\\s+(${NUM})\\s+total \\(Debye\\):\\s*(${NUM})`,
    ),
  );
  const m = [gfn2, gfn1].filter((x) => x !== undefined).sort((a, b) => (b.index ?? 0) - (a.index ?? 0))[0];
  if (!m) return undefined;
  return { vector: [Number(m[1]), Number(m[2]), Number(m[3])], total: Number(m[4]) };
}

function readJson(text: string | undefined, warnings: string[]): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    warnings.push(`xtbout.json unreadable: ${(e as Error).message}`);
    return undefined;
  }
}

function jsonNumber(json: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = json?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The JSON value unless it disagrees with stdout beyond rounding (the JSON has 8 decimals, stdout 12): then stdout's. */
function reconcile(
  name: string,
  json: number | undefined,
  stdout: number | undefined,
  tol: number,
  warnings: string[],
) {
  if (json === undefined) return stdout;
  if (stdout === undefined || Math.abs(json - stdout) <= tol) return json;
  warnings.push(`${name}: xtbout.json says ${json}, stdout says ${stdout}; using stdout`);
  return stdout;
}

/** Charge and unpaired electrons from xtb's echo of its own command line. */
function programCall(stdout: string): { charge: number; uhf: number; optimize: boolean } | undefined {
  const call = /program call\s*:\s*(.*)/.exec(stdout)?.[1];
  if (!call) return undefined;
  const chrg = /--chrg\s+(-?\d+)/.exec(call)?.[1];
  const uhf = /--uhf\s+(\d+)/.exec(call)?.[1];
  return { charge: Number(chrg ?? 0), uhf: Number(uhf ?? 0), optimize: /\s--opt\b/.test(call) };
}

function classify(out: RawOutput): CalcFailure | undefined {
  const { stdout, stderr, exitCode } = out;
  const errors = blockLines(stdout, /^\[ERROR\]/);
  const why = errors.join('; ') || stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${exitCode}`;
  if (/external termination of xtb/.test(stderr) || exitCode === null) {
    return failure('killed', `xtb was terminated by a signal: ${why}`, true);
  }
  const inputWarnings = /Please study the warnings concerning your input/.test(stdout)
    ? blockLines(stdout, /Please study the warnings concerning your input/)
    : [];
  if (inputWarnings.length > 0)
    return failure('invalid-input', `xtb rejected the input: ${inputWarnings.join('; ')}`, false);
  const abnormal = exitCode !== 0 || /abnormal termination of xtb/.test(stderr);
  if (abnormal) {
    if (
      /Self consistent charge iterator did not converge|convergence criteria cannot be satisfied/.test(stdout)
    ) {
      return failure('scf-not-converged', `xtb SCF did not converge: ${why}`, true);
    }
    if (
      /reading geometry input|Could not parse|is not parametrized|Could not setup defaults|Unknown option/i.test(
        why,
      )
    ) {
      return failure('invalid-input', `xtb rejected the input: ${why}`, false);
    }
    return failure('unknown', `xtb failed: ${why}`, false);
  }
  const optFailed = /FAILED TO CONVERGE GEOMETRY OPTIMIZATION IN (\d+) ITERATIONS/.exec(stdout);
  if (optFailed) {
    return failure(
      'opt-not-converged',
      `xtb geometry optimisation did not converge in ${optFailed[1]} cycles`,
      true,
    );
  }
  return undefined;
}

export function parseXtbOutput(out: RawOutput): CalcOutputs | CalcFailure {
  const failed = classify(out);
  if (failed) return failed.kind === 'opt-not-converged' ? withLastGeometry(failed, out) : failed;
  const { stdout } = out;
  const warnings = blockLines(stdout, /^\[WARNING\]/);
  const json = readJson(out.files('xtbout.json'), warnings);

  const totalEnergy = reconcile(
    'total energy',
    jsonNumber(json, 'total energy'),
    lastNumber(stdout, new RegExp(`\\|\\s*TOTAL ENERGY\\s+(${NUM})\\s+Eh`)),
    1e-7,
    warnings,
  );
  if (totalEnergy === undefined)
    return failure('unknown', 'xtb finished but reported no total energy', false);
  const homoLumoGap = reconcile(
    'HOMO-LUMO gap',
    jsonNumber(json, 'HOMO-LUMO gap/eV'),
    lastNumber(stdout, new RegExp(`\\|\\s*HOMO-LUMO GAP\\s+(${NUM})\\s+eV`)),
    1e-6,
    warnings,
  );
  const result: CalcOutputs = { totalEnergy, warnings };
  if (homoLumoGap !== undefined) result.homoLumoGap = homoLumoGap;

  const dipole = parseDipole(json, stdoutDipole(stdout), warnings);
  if (dipole) {
    result.dipoleVector = dipole.vector;
    result.dipoleMoment = dipole.total;
  }
  const gradientNorm = lastNumber(stdout, new RegExp(`\\|\\s*GRADIENT NORM\\s+(${NUM})\\s+Eh`));
  if (gradientNorm !== undefined) result.gradientNorm = gradientNorm;
  const charges = json?.['partial charges'];
  if (Array.isArray(charges) && charges.every((q) => typeof q === 'number')) result.partialCharges = charges;

  const call = programCall(stdout);
  if (call?.optimize || /GEOMETRY OPTIMIZATION/.test(stdout)) {
    const xyz = out.files('xtbopt.xyz');
    if (xyz === undefined)
      return failure('unknown', 'xtb optimisation finished but wrote no xtbopt.xyz', false);
    if (!call) warnings.push('no "program call" line in stdout; final geometry assumes charge 0, singlet');
    try {
      result.finalGeometry = parseXyz(xyz, { charge: call?.charge ?? 0, multiplicity: (call?.uhf ?? 0) + 1 });
    } catch (e) {
      return failure('unknown', `xtbopt.xyz unreadable: ${(e as Error).message}`, false);
    }
  }
  return result;
}

/**
 * 6.5.1 writes no `xtblast.xyz` when `--opt` runs out of cycles: `xtbopt.xyz` then holds the last geometry
 * (not an optimised one). `xtblast.xyz` is read first, for the builds that do write it.
 */
function withLastGeometry(failed: CalcFailure, out: RawOutput): CalcFailure {
  const xyz = out.files('xtblast.xyz') ?? out.files('xtbopt.xyz');
  if (xyz === undefined) return failed;
  const call = programCall(out.stdout);
  try {
    const state = { charge: call?.charge ?? 0, multiplicity: (call?.uhf ?? 0) + 1 };
    return { ...failed, lastGeometry: parseXyz(xyz, state) };
  } catch {
    return failed;
  }
}

/** Dipole in debye: the JSON vector (full precision) when it matches stdout's last printout, else stdout's. */
function parseDipole(
  json: Record<string, unknown> | undefined,
  printed: StdoutDipole | undefined,
  warnings: string[],
): { vector: Vec3; total: number } | undefined {
  const raw = json?.dipole;
  const fromJson =
    Array.isArray(raw) && raw.length === 3 && raw.every((x) => typeof x === 'number')
      ? (raw as Vec3)
      : undefined;
  const toDebye = (v: Vec3): Vec3 => [v[0] * DEBYE_PER_AU, v[1] * DEBYE_PER_AU, v[2] * DEBYE_PER_AU];
  // stdout prints 3 decimals: anything beyond rounding means the JSON vector is from another geometry.
  if (fromJson && (!printed || fromJson.every((x, i) => Math.abs(x - (printed.vector[i] ?? 0)) <= 6e-4))) {
    return { vector: toDebye(fromJson), total: Math.hypot(...fromJson) * DEBYE_PER_AU };
  }
  if (!printed) return undefined;
  if (fromJson)
    warnings.push(
      'xtbout.json dipole disagrees with the last dipole in stdout (stale after --opt); using stdout',
    );
  return { vector: toDebye(printed.vector), total: printed.total };
}
