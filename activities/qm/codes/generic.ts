/**
 * The generic template: a QM code described in YAML (lib/qm/generic-schema.ts) rather than written in
 * TypeScript. `write` expands placeholders in the description's input files and argv; `parse` applies its
 * failure rules, its success rule and its regex rules for the numbers, converting units.
 *
 * Only single points (task "energy") on molecules: an optimisation or a crystal needs knowledge of the code
 * (where the final geometry is, how the cell is written) that a handful of regexes cannot carry.
 *
 * Nothing a spec asks for is silently dropped: a solvent, a basis or a setting the description has no
 * placeholder for is invalid input, and so is a method when the description neither uses {{method}} nor
 * lists `methods`. Otherwise two different specs would write identical inputs.
 */
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import type { Problem } from '../../../lib/campaign/problem.js';
import { loadYamlConfig } from '../../../lib/campaign/yaml-config.js';
import {
  CodeDescription,
  type FailureRuleConfig,
  type ParsedProperty,
  PLACEHOLDER,
  type PLACEHOLDERS,
  placeholdersOf,
  settingName,
  type Unit,
  type ValueRule,
} from '../../../lib/qm/generic-schema.js';
import { toXyz } from '../geometry.js';
import { resolveBinary } from '../profile.js';
import {
  type CalcFailure,
  type CalcInputs,
  type CalcOutputs,
  type CalcSpec,
  type Geometry,
  InvalidInputError,
  type Profile,
  type QmTemplate,
  type RawOutput,
} from '../template.js';
import { inScratchDir, versionCache } from '../version-probe.js';
import { checkGeometry, unpairedElectrons } from './molecule-checks.js';

export { CodeDescription } from '../../../lib/qm/generic-schema.js';

export interface LoadedCode {
  /** Present (like the rest) only when there are no problems. */
  description?: CodeDescription;
  template?: QmTemplate;
  profile?: Profile;
  /**
   * The version for cache keys and provenance: the probed (or fixed) version followed by a hash of the
   * description, since editing the description's input deck changes results as surely as a new release.
   */
  version?: (binary: string) => Promise<string>;
  problems: Problem[];
}

/** Reads a code description from YAML text; `file` is only used in problem positions. */
export function loadCodeDescription(text: string, file: string): LoadedCode {
  const { data, problems } = loadYamlConfig(CodeDescription, text, file, {
    contents: 'code description settings',
    emptyMessage:
      'the file is empty; a code description needs at least code, binary, files or argv, and parse',
  });
  if (data === undefined) return { problems };
  const hash = descriptionHash(data).slice(0, 12);
  return {
    description: data,
    template: genericTemplate(data),
    profile: genericProfile(data),
    version: async (binary) => `${await probeVersion(data, binary)} (description ${hash})`,
    problems,
  };
}

/** sha256 of the description in canonical form (sorted keys): what the generated inputs and parsing depend on. */
export function descriptionHash(desc: CodeDescription): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  const { description: _, ...rest } = desc;
  return createHash('sha256')
    .update(JSON.stringify(canonical(rest)))
    .digest('hex');
}

/** The environment variable that overrides a description's binary: CASCADE_ORCA, CASCADE_QUANTUM_ESPRESSO. */
export function binaryEnvVar(code: string): string {
  return `CASCADE_${code.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The profile of a described code: binary from CASCADE_<CODE> or the description, its threads and env. */
export function genericProfile(desc: CodeDescription, overrides: Partial<Profile> = {}): Profile {
  return {
    binary: overrides.binary ?? (process.env[binaryEnvVar(desc.code)] || desc.binary),
    threads: overrides.threads ?? desc.threads,
    env: { ...desc.env, ...overrides.env },
  };
}

// ---------------------------------------------------------------------------------------------------
// Version

const cachedVersion = versionCache();

/**
 * The code's version per the description: the fixed one, or the first capture group of `regex` over the
 * stdout and stderr of `binary argv...`, run once per binary and cached; "unknown" when nothing matches or
 * no probe is described. The probe runs in a fresh temporary directory (some codes write scratch files
 * wherever they start) that is removed afterwards. Throws MissingBinaryError (not cached).
 */
export function probeVersion(desc: CodeDescription, binary: string): Promise<string> {
  const probe = desc.version;
  if (probe?.fixed !== undefined) return Promise.resolve(probe.fixed);
  if (probe?.argv === undefined || probe.regex === undefined) return Promise.resolve('unknown');
  const { argv, regex } = probe;
  return cachedVersion(JSON.stringify([binary, argv, regex]), () =>
    runProbe(binary, argv, new RegExp(regex, 'm')),
  );
}

async function runProbe(binary: string, argv: string[], re: RegExp): Promise<string> {
  const path = await resolveBinary(binary);
  return inScratchDir('cascade-version-', async (cwd) => {
    const r = await execa(path, argv, {
      cwd,
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
      forceKillAfterDelay: 2_000,
      env: { OMP_NUM_THREADS: '1' },
    });
    const m = re.exec(`${r.stdout}\n${r.stderr}`);
    return m?.[1]?.trim() || 'unknown';
  });
}

// ---------------------------------------------------------------------------------------------------
// Writing inputs

/**
 * Expands `{{name}}` placeholders. Hand-written rather than a template library on purpose: it is a dozen
 * lines, and input decks should hold no logic (no conditionals, loops or filters) - a code that needs an
 * optional block gets a second description, or a setting whose value is the block.
 * A multi-line value whose placeholder is indented (only whitespace before it on its line) has every
 * line indented the same, so `  {{atoms}}` inside a block stays a block.
 */
export function expandPlaceholders(template: string, values: (name: string) => string): string {
  for (const use of placeholdersOf(template)) if (use.problem) throw new InvalidInputError(use.problem);
  return template.replace(PLACEHOLDER, (_whole, name: string, offset: number) => {
    const indent = /(?:^|\n)([ \t]*)$/.exec(template.slice(0, offset))?.[1] ?? '';
    return values(name).replace(/\n(?=.)/g, `\n${indent}`);
  });
}

/** Every placeholder name a description uses, in its files and argv. */
function usedPlaceholders(desc: CodeDescription): Set<string> {
  const texts = [...Object.values(desc.files), ...desc.argv];
  return new Set(texts.flatMap((t) => placeholdersOf(t).map((u) => u.name)));
}

/** Values that end up inside an input deck or argv must not break its structure. */
const WORD = /^[^\s{}]+$/;

function word(what: string, value: string): string {
  if (!WORD.test(value))
    throw new InvalidInputError(`${what} ${JSON.stringify(value)} must be one word without braces`);
  return value;
}

function settingText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  throw new InvalidInputError(`setting ${name} must be a string, a finite number or true/false`);
}

function writeInputs(desc: CodeDescription, used: Set<string>, spec: CalcSpec, geom: Geometry): CalcInputs {
  const code = desc.code;
  if (spec.code !== code) throw new InvalidInputError(`${code} template got a spec for "${spec.code}"`);
  if (spec.task !== 'energy') {
    throw new InvalidInputError(
      `${code} is a described (generic) code: only task "energy" is supported, got "${spec.task}"`,
    );
  }
  checkGeometry(geom);
  unpairedElectrons(spec, geom.symbols);

  let method: string;
  if (desc.methods !== undefined) {
    const mapped = Object.hasOwn(desc.methods, spec.method) ? desc.methods[spec.method] : undefined;
    if (mapped === undefined) {
      throw new InvalidInputError(
        `unknown ${code} method "${spec.method}" (use ${Object.keys(desc.methods).join(', ')})`,
      );
    }
    method = mapped;
  } else if (used.has('method')) {
    method = word('method', spec.method);
  } else {
    throw new InvalidInputError(`the ${code} description has no {{method}} placeholder and no methods list`);
  }
  const optional = (name: 'basis' | 'solvent', value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    if (!used.has(name))
      throw new InvalidInputError(`the ${code} description takes no ${name} (it has no {{${name}}})`);
    return word(name, value);
  };
  const basis = optional('basis', spec.basis);
  const solvent = optional('solvent', spec.solvent);

  const usedSettings = new Set([...used].map(settingName).filter((s) => s !== undefined));
  for (const key of Object.keys(spec.settings)) {
    if (!usedSettings.has(key)) {
      const known = [...usedSettings].join(', ') || 'none';
      throw new InvalidInputError(`unknown ${code} setting "${key}" (known: ${known})`);
    }
  }

  const xyz = toXyz(geom, `cascade ${code} input`);
  const values = (name: string): string => {
    const setting = settingName(name);
    if (setting !== undefined) {
      const value = spec.settings[setting] ?? desc.settings[setting];
      if (value === undefined)
        throw new InvalidInputError(`${code} setting "${setting}" has no value and no default`);
      return settingText(setting, value);
    }
    switch (name as keyof typeof PLACEHOLDERS) {
      case 'method':
        return method;
      case 'basis':
        if (basis === undefined) throw new InvalidInputError(`${code} needs a basis set (spec.basis)`);
        return basis;
      case 'solvent':
        if (solvent === undefined) throw new InvalidInputError(`${code} needs a solvent (spec.solvent)`);
        return solvent;
      case 'charge':
        return String(spec.charge);
      case 'multiplicity':
        return String(spec.multiplicity);
      case 'unpaired':
        return String(spec.multiplicity - 1);
      case 'natoms':
        return String(geom.symbols.length);
      case 'atoms':
        return xyz.split('\n').slice(2).join('\n').trimEnd();
      case 'xyz':
        return xyz;
    }
    throw new InvalidInputError(`unknown placeholder {{${name}}}`);
  };
  const files = Object.fromEntries(
    Object.entries(desc.files).map(([name, text]) => [name, expandPlaceholders(text, values)]),
  );
  return { files, argv: desc.argv.map((a) => expandPlaceholders(a, values)) };
}

// ---------------------------------------------------------------------------------------------------
// Parsing

const HARTREE_EV = 27.211386245988; // CODATA 2018
const BOHR_ANGSTROM = 0.529177210903; // CODATA 2018
const DEBYE_PER_AU = 2.541746473; // e*bohr in debye, as in xtb.ts

/** Multiplier from each unit to the unit CalcOutputs stores (hartree, eV, debye, hartree/bohr, count). */
const TO_STORED: Record<'hartree' | 'eV' | 'other', Partial<Record<Unit, number>>> = {
  hartree: {
    hartree: 1,
    eV: 1 / HARTREE_EV,
    rydberg: 0.5,
    'kcal/mol': 1 / 627.509474063,
    'kJ/mol': 1 / 2625.499639,
  },
  eV: { eV: 1, hartree: HARTREE_EV, rydberg: HARTREE_EV / 2 },
  other: {
    debye: 1,
    au: DEBYE_PER_AU,
    'hartree/bohr': 1,
    'eV/angstrom': BOHR_ANGSTROM / HARTREE_EV,
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
  const t = text.trim().replace(/[dD](?=[-+]?\d+$)/, 'e');
  return t === '' ? Number.NaN : Number(t);
}

function compile(source: string, flags: string): RegExp {
  return new RegExp(source, `${flags}mg`);
}

interface CompiledRule<R> {
  rule: R;
  re: RegExp;
}

function genericParse(
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

/** A QmTemplate from a validated code description. */
export function genericTemplate(desc: CodeDescription): QmTemplate {
  const used = usedPlaceholders(desc);
  const failures = desc.failures.map((rule) => ({ rule, re: compile(rule.regex, rule.flags) }));
  const success = desc.success && compile(desc.success.regex, desc.success.flags);
  const values = (Object.entries(desc.parse) as Array<[ParsedProperty, ValueRule | undefined]>)
    .filter((e): e is [ParsedProperty, ValueRule] => e[1] !== undefined)
    .map(([p, rule]): [ParsedProperty, CompiledRule<ValueRule>] => [
      p,
      { rule, re: compile(rule.regex, rule.flags) },
    ]);
  return {
    code: desc.code,
    write: (spec, geom) => writeInputs(desc, used, spec, geom),
    parse: (out) => genericParse(desc, failures, success, values, out),
  };
}
