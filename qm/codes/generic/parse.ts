/**
 * Reading a described code's outputs: its failure rules first, then its success rule, then its regex rules
 * for the numbers, converted to the units CalcOutputs uses.
 */
import { ANGSTROM_PER_BOHR, DEBYE_PER_AU, EV_PER_HARTREE } from '../../../lib/domain/units.js';
import type { CalcFailure, CalcOutputs, RawOutput } from '../../template.js';
import { fortranNumber } from '../parsing.js';
import type { CodeDescription, FailureRuleConfig, ParsedProperty, Unit, ValueRule } from './description.js';

/** Multiplier from each unit to the unit CalcOutputs stores (hartree, eV, debye, hartree/bohr, count). */
const TO_STORED: Record<'hartree' | 'eV' | 'other', Partial<Record<Unit, number>>> = {
  hartree: {
    hartree: 1,
    eV: 1 / EV_PER_HARTREE,
    rydberg: 0.5,
    'kcal/mol': 1 / 627.509474063,
    'kJ/mol': 1 / 2625.499639,
  },
  eV: { eV: 1, hartree: EV_PER_HARTREE, rydberg: EV_PER_HARTREE / 2 },
  other: {
    debye: 1,
    au: DEBYE_PER_AU,
    'hartree/bohr': 1,
    'eV/angstrom': ANGSTROM_PER_BOHR / EV_PER_HARTREE,
    'rydberg/bohr': 0.5,
    count: 1,
  },
};

const STORED_IN: Record<ParsedProperty, keyof typeof TO_STORED> = {
  totalEnergy: 'hartree',
  fermiEnergy: 'hartree',
  homoLumoGap: 'eV',
  homo: 'eV',
  lumo: 'eV',
  bandGap: 'eV',
  dipoleMoment: 'other',
  gradientNorm: 'other',
  scfIterations: 'other',
};

/** `value` (in `unit`) in the unit CalcOutputs uses for `property`. */
export function toStoredUnit(property: ParsedProperty, value: number, unit: Unit): number {
  const factor = TO_STORED[STORED_IN[property]][unit];
  if (factor === undefined) throw new Error(`${property} cannot be given in ${unit}`);
  return value * factor;
}

/** A number as codes print it, Fortran's 1.0D-02 included. */
function readNumber(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : fortranNumber(t);
}

export function compile(source: string, flags: string): RegExp {
  return new RegExp(source, `${flags}mg`);
}

export interface CompiledRule<R> {
  rule: R;
  re: RegExp;
}

export function genericParse(
  desc: CodeDescription,
  failures: CompiledRule<FailureRuleConfig>[],
  success: RegExp | undefined,
  values: Array<[ParsedProperty, CompiledRule<ValueRule>]>,
  out: RawOutput,
): CalcOutputs | CalcFailure {
  const code = desc.code;
  const read = (source: string): string | undefined =>
    source === 'stdout' || source === desc.stdout
      ? out.stdout
      : source === 'stderr'
        ? out.stderr
        : out.files(source);
  const fail = (kind: CalcFailure['kind'], message: string, retryable = false): CalcFailure => ({
    kind,
    message,
    retryable,
  });
  const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' ').trim();

  if (out.exitCode === null) return fail('killed', `${code} was ended by a signal`, true);
  for (const { rule, re } of failures) {
    const text = read(rule.file);
    const m = text === undefined ? undefined : firstMatch(text, re);
    if (m) {
      const line = lineAround(text ?? '', m.index ?? 0);
      return fail(rule.kind, rule.message ?? `${code}: ${rule.kind}: "${line}"`, rule.retryable);
    }
  }
  if (out.exitCode !== 0) {
    const why = lastLines(out.stderr) || lastLines(out.stdout) || 'no output';
    return fail('unknown', `${code} exited with code ${out.exitCode}: ${why}`);
  }
  if (success && desc.success) {
    const text = read(desc.success.file);
    if (text === undefined || !firstMatch(text, success)) {
      const where =
        text === undefined ? `${desc.success.file} is missing` : `not found in ${desc.success.file}`;
      return fail('unknown', `${code} did not report success (/${desc.success.regex}/ ${where})`);
    }
  }

  const warnings: string[] = [];
  const result: Partial<Record<ParsedProperty, number>> = {};
  for (const [property, { rule, re }] of values) {
    const text = read(rule.file);
    const matches = text === undefined ? [] : [...text.matchAll(re)];
    const m = rule.match === 'first' ? matches[0] : matches.at(-1);
    const where = `/${rule.regex}/ in ${rule.file}`;
    let problem: string | undefined;
    if (text === undefined) problem = `${rule.file} is missing`;
    else if (!m) problem = `no match for ${where}`;
    else {
      const raw = m[rule.group] ?? '';
      const value = readNumber(raw);
      if (!Number.isFinite(value)) problem = `${where} captured ${JSON.stringify(raw)}, not a number`;
      else if (property === 'scfIterations' && !Number.isInteger(value))
        problem = `${where} captured ${JSON.stringify(raw)}, not a whole number`;
      else result[property] = toStoredUnit(property, value, rule.unit);
    }
    if (problem !== undefined) {
      if (property === 'totalEnergy') return fail('unknown', `${code} reported no total energy: ${problem}`);
      warnings.push(`${property}: ${problem}`);
    }
  }
  // Codes that print orbital energies but no gap (ORCA, NWChem) get one when both frontier orbitals are read.
  if (result.homoLumoGap === undefined && result.homo !== undefined && result.lumo !== undefined)
    result.homoLumoGap = result.lumo - result.homo;
  const { totalEnergy, ...rest } = result;
  return { totalEnergy: totalEnergy as number, ...rest, warnings };
}

function firstMatch(text: string, re: RegExp): RegExpExecArray | null {
  re.lastIndex = 0;
  const m = re.exec(text);
  re.lastIndex = 0;
  return m;
}

/** The trimmed line holding `index`, shortened for a message. */
function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end < 0 ? undefined : end).trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
