/**
 * Code descriptions, schema v1: a QM program described in YAML (input files and argv with placeholders,
 * regexes that read numbers and failures back), so that a code can be brought to cascade without writing
 * a template in TypeScript. The other files of qm/codes/generic/ turn a description into a template, a profile
 * and a version probe; configs/codes/ holds examples.
 *
 * Checks that need more than one field (placeholders naming known values, regexes with enough capture
 * groups) are part of the schema, so every problem comes back positioned like any other.
 */
import { z } from 'zod';
import { didYouMean } from '../../../lib/config/did-you-mean.js';

// ---------------------------------------------------------------------------------------------------
// Placeholders

/** Placeholders every description may use (besides `settings.NAME`), with what they expand to. */
export const PLACEHOLDERS = {
  method: 'the method, after the `methods` mapping when there is one',
  basis: 'the basis set name (a spec without one cannot run a description that uses it)',
  charge: 'total charge',
  multiplicity: 'spin multiplicity 2S+1',
  unpaired: 'unpaired electrons, multiplicity - 1',
  natoms: 'number of atoms',
  atoms: 'one "El x y z" line per atom, in angstrom',
  xyz: 'a complete XYZ file (count, comment, atom lines)',
  solvent: 'the implicit-solvent name (a spec without one cannot run a description that uses it)',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS | `settings.${string}`;

/**
 * `{{name}}` or `{{ settings.NAME }}`. Anything else between double braces is an error; there is no escape
 * for a literal `{{`, as no input format we know of needs one.
 */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SETTING_NAME = /^settings\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** A placeholder found in a template string, or a malformed one. */
export interface PlaceholderUse {
  /** Index in the template string. */
  index: number;
  /** The whole `{{ ... }}` text. */
  text: string;
  name: string;
  /** Why the placeholder cannot be expanded, when it cannot. */
  problem?: string;
}

/** The placeholders of a template string, each checked against the known names. */
export function placeholdersOf(template: string): PlaceholderUse[] {
  const uses: PlaceholderUse[] = [];
  const known = Object.keys(PLACEHOLDERS);
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    const use: PlaceholderUse = { index: m.index, text: m[0], name };
    if (!Object.hasOwn(PLACEHOLDERS, name) && !SETTING_NAME.test(name)) {
      use.problem = name.startsWith('settings.')
        ? `placeholder ${m[0]}: setting names are letters, digits and "_", starting with a letter or "_"`
        : `unknown placeholder ${m[0]}${didYouMean(name, known)}; known: ${known.map((k) => `{{${k}}}`).join(', ')}, {{settings.NAME}}`;
    }
    uses.push(use);
  }
  // A "{{" or "}}" left over is a placeholder typed wrongly (one brace short, a brace inside).
  const rest = template.replace(PLACEHOLDER, (s) => ' '.repeat(s.length));
  const stray = /\{\{|\}\}/.exec(rest);
  if (stray) {
    uses.push({
      index: stray.index,
      text: stray[0],
      name: '',
      problem: `stray "${stray[0]}": placeholders are written {{name}}`,
    });
  }
  return uses;
}

/** The setting a placeholder names (`settings.maxiter` -> `maxiter`), if it names one. */
export function settingName(placeholder: string): string | undefined {
  return SETTING_NAME.exec(placeholder)?.[1];
}

/** 1-based line of `index` within `text`, for messages about multi-line templates. */
function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** A string with placeholders; unknown or malformed ones are reported at load time. */
const templateString = z.string().superRefine((text, ctx) => {
  for (const use of placeholdersOf(text)) {
    if (!use.problem) continue;
    const where = text.includes('\n') ? ` (line ${lineOf(text, use.index)} of the text)` : '';
    ctx.addIssue({ code: 'custom', message: `${use.problem}${where}`, input: text });
  }
});

// ---------------------------------------------------------------------------------------------------
// Regexes and the files they read

/**
 * A JavaScript regular expression, compiled with the `m` flag (so `^` and `$` match at line breaks).
 * `minGroups` is how many capture groups it must have.
 */
const regex = (what: string, minGroups = 0) =>
  z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      let groups: number;
      try {
        groups = captureGroups(source);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(e as Error).message}` });
        return;
      }
      if (groups < minGroups) {
        ctx.addIssue({
          code: 'custom',
          message: `the regular expression needs a capture group, in parentheses, around ${what}`,
        });
      }
    });

/** Number of capture groups in a regex source; throws for an invalid one. */
export function captureGroups(source: string, flags = ''): number {
  return (new RegExp(`${source}|`, flags).exec('')?.length ?? 1) - 1;
}

/** Same rule as the runner's work-directory check (activities/qm/work-dir.ts). */
const PLAIN_FILE = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;
const PLAIN_FILE_MESSAGE = 'expected a plain file name (letters, digits, ".", "_", "-"; no directories)';

const fileName = z.string().regex(PLAIN_FILE, PLAIN_FILE_MESSAGE);

const source = z
  .string()
  .regex(PLAIN_FILE, `expected stdout, stderr or ${PLAIN_FILE_MESSAGE.replace('expected ', '')}`)
  .default('stdout')
  .describe('Where to search: stdout, stderr or a file the code writes into its work directory');

const flags = z
  .string()
  .regex(/^(?!.*(.).*\1)[is]*$/, 'expected flags among "i" (ignore case) and "s" ("." matches newlines)')
  .default('')
  .describe('Extra regex flags: i (ignore case), s (dot matches newlines); m is always on');

// ---------------------------------------------------------------------------------------------------
// Values read from the output

/** Units each property may be reported in; values are converted to the unit CalcOutputs uses (first). */
export const PROPERTY_UNITS = {
  totalEnergy: ['hartree', 'eV', 'rydberg', 'kcal/mol', 'kJ/mol'],
  fermiEnergy: ['hartree', 'eV', 'rydberg'],
  homoLumoGap: ['eV', 'hartree', 'rydberg'],
  homo: ['eV', 'hartree', 'rydberg'],
  lumo: ['eV', 'hartree', 'rydberg'],
  bandGap: ['eV', 'hartree', 'rydberg'],
  dipoleMoment: ['debye', 'au'],
  gradientNorm: ['hartree/bohr', 'eV/angstrom', 'rydberg/bohr'],
  scfIterations: ['count'],
} as const;

export type ParsedProperty = keyof typeof PROPERTY_UNITS;
export type Unit = (typeof PROPERTY_UNITS)[ParsedProperty][number];

const ruleFields = {
  file: source,
  regex: regex('the number', 1).describe('Regex whose capture group holds the number'),
  flags,
  group: z.int().min(1).default(1).describe('Which capture group holds the number'),
  match: z
    .enum(['last', 'first'])
    .default('last')
    .describe('Which match counts when the output has several (last: the final SCF, step or cycle)'),
};

/** The capture group a rule reads must exist; checked once the regex itself is fine. */
function groupExists(rule: { regex: string; flags: string; group: number }, ctx: z.RefinementCtx): void {
  const groups = captureGroups(rule.regex, rule.flags);
  if (rule.group > groups) {
    ctx.addIssue({
      code: 'custom',
      path: ['group'],
      message: `the regex has ${groups} capture group${groups === 1 ? '' : 's'}, so group ${rule.group} does not exist`,
    });
  }
}
const regexParsed = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

const valueRule = <const U extends readonly [string, ...string[]]>(units: U) =>
  z
    .strictObject({
      ...ruleFields,
      unit: z.enum(units).describe(`The unit the code prints the value in: ${units.join(', ')}`),
    })
    .superRefine(groupExists, regexParsed);

/** scfIterations is a count: no unit to choose. */
const countRule = z
  .strictObject({ ...ruleFields, unit: z.literal('count').default('count') })
  .superRefine(groupExists, regexParsed);

export const ParseRules = z.strictObject({
  totalEnergy: valueRule(PROPERTY_UNITS.totalEnergy).describe('Total energy; stored in hartree'),
  homoLumoGap: valueRule(PROPERTY_UNITS.homoLumoGap)
    .optional()
    .describe('HOMO-LUMO gap; stored in eV. Without this rule, LUMO - HOMO when both are read'),
  homo: valueRule(PROPERTY_UNITS.homo).optional().describe('HOMO energy; stored in eV'),
  lumo: valueRule(PROPERTY_UNITS.lumo).optional().describe('LUMO energy; stored in eV'),
  dipoleMoment: valueRule(PROPERTY_UNITS.dipoleMoment)
    .optional()
    .describe('Dipole moment magnitude; stored in debye'),
  gradientNorm: valueRule(PROPERTY_UNITS.gradientNorm)
    .optional()
    .describe('Gradient norm; stored in hartree/bohr'),
  fermiEnergy: valueRule(PROPERTY_UNITS.fermiEnergy).optional().describe('Fermi energy; stored in hartree'),
  bandGap: valueRule(PROPERTY_UNITS.bandGap).optional().describe('Band gap; stored in eV'),
  scfIterations: countRule.optional().describe('SCF iteration count (a whole number)'),
});

export const FailureRule = z.strictObject({
  kind: z
    .enum(['scf-not-converged', 'opt-not-converged', 'killed', 'timeout', 'invalid-input', 'unknown'])
    .describe('The failure class reported when the regex matches'),
  file: source,
  regex: regex('anything').describe('Regex that, when it matches, means this failure'),
  flags,
  retryable: z
    .boolean()
    .default(false)
    .describe('Whether running again (perhaps with adjusted settings) may succeed'),
  message: z.string().min(1).optional().describe('Message for the failure; by default the line that matched'),
});

export const SuccessRule = z.strictObject({
  file: source,
  regex: regex('anything').describe('Regex the output must match for the run to count as a success'),
  flags,
});

export const VersionProbe = z
  .strictObject({
    fixed: z.string().min(1).optional().describe('The version, written out, for codes that cannot report it'),
    argv: z
      .array(z.string())
      .optional()
      .describe('Arguments that make the binary print its version, e.g. ["--version"]'),
    regex: regex('the version', 1).optional().describe('Regex over stdout and stderr of the probe'),
  })
  .superRefine((v, ctx) => {
    if (v.fixed !== undefined && (v.argv !== undefined || v.regex !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either fixed, or argv and regex, not both' });
    } else if (v.fixed === undefined && (v.argv === undefined || v.regex === undefined)) {
      const missing = v.argv === undefined ? 'argv' : 'regex';
      ctx.addIssue({
        code: 'custom',
        path: v.argv === undefined && v.regex === undefined ? [] : [missing],
        message:
          v.argv === undefined && v.regex === undefined
            ? 'give fixed: "1.2.3", or argv: [...] and regex: "..." to read the version from the binary'
            : `missing required key "${missing}" (argv and regex go together)`,
      });
    }
  });

/** A mapping whose keys are data, each checked by `key`; problems point at the offending key. */
const keyedRecord = <V extends z.ZodType>(key: RegExp, keyMessage: string, value: V) =>
  z.record(z.string(), value).superRefine(
    (record, ctx) => {
      for (const k of Object.keys(record)) {
        if (!key.test(k))
          ctx.addIssue({ code: 'custom', path: [k], message: `"${k}": ${keyMessage}`, input: k });
      }
    },
    // keys are checked even when some values are wrong, so both are reported in one pass
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/**
 * Variables that change how the dynamic loader or libc finds code and data: a description that set them could
 * make any program run arbitrary code (LD_PRELOAD, LD_AUDIT) or read files of its choosing (GCONV_PATH).
 * glibc itself ignores these for setuid programs; a described code gets none of them.
 */
const LOADER_VARIABLE = /^(LD_|DYLD_)|^(GCONV_PATH|GETCONF_DIR|HOSTALIASES|LOCPATH|NLSPATH|MALLOC_TRACE)$/;

/** The code's own environment: variable names, none of them a loader variable. */
const codeEnv = keyedRecord(
  /^[A-Za-z_][A-Za-z0-9_]*$/,
  'not an environment variable name',
  z.string(),
).superRefine(
  (env, ctx) => {
    for (const k of Object.keys(env)) {
      if (LOADER_VARIABLE.test(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `"${k}" changes how programs are loaded and may not be set by a code description; install the code so that it runs without it`,
          input: k,
        });
    }
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

/**
 * A command name looked up on PATH (`orca`, `pw.x`) or an absolute path (`/opt/orca/orca`): nothing relative
 * to wherever the worker happens to run, no `~`, no `..` segments, no option-like or blank names.
 */
const binaryName = z
  .string()
  .min(1)
  .superRefine((b, ctx) => {
    const plainName = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
    const absolutePath = /^(\/[A-Za-z0-9._+-]+)+$/;
    const ok = b.includes('/')
      ? absolutePath.test(b) && !b.split('/').some((seg) => seg === '.' || seg === '..')
      : plainName.test(b);
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        message: b.includes('/')
          ? `"${b}": a binary given as a path must be absolute, without "." or ".." segments (letters, digits, ".", "_", "+", "-" between the slashes)`
          : `"${b}": expected a command name looked up on PATH (letters, digits, ".", "_", "+", "-") or an absolute path`,
        input: b,
      });
  });

const codeName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const CodeDescription = z
  .strictObject({
    code: codeName.describe('Name of the code, as tiers and specs name it; part of cache keys'),
    description: z.string().optional(),
    binary: binaryName.describe(
      'Binary to run: a command name looked up on PATH or an absolute path; CASCADE_<CODE> overrides it',
    ),
    threads: z.int().min(1).default(1).describe('Threads per calculation (OMP_NUM_THREADS and friends)'),
    env: codeEnv
      .default({})
      .describe('Extra environment variables for the code (no LD_*, DYLD_* or other loader variables)'),
    version: VersionProbe.optional().describe('How to find out the code version, recorded in provenance'),
    methods: keyedRecord(/^\S+$/, 'method names cannot contain spaces', z.string())
      .optional()
      .describe('Method names a spec may use, each with the text {{method}} expands to'),
    settings: keyedRecord(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'setting names are letters, digits and "_", starting with a letter or "_"',
      z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, a number or true/false' }),
    )
      .default({})
      .describe('Default values of {{settings.NAME}} placeholders; a spec may override them'),
    files: keyedRecord(PLAIN_FILE, PLAIN_FILE_MESSAGE, templateString)
      .default({})
      .describe('Input files written into the work directory: name -> text with placeholders'),
    argv: z.array(templateString).default([]).describe('Arguments after the binary, with placeholders'),
    stdout: fileName
      .optional()
      .describe('A file name under which parse, failures and success rules can also read stdout'),
    parse: ParseRules.describe('Where the numbers are: one regex rule per property (totalEnergy at least)'),
    failures: z
      .array(FailureRule)
      .default([])
      .describe('Failure rules, first match wins; otherwise a non-zero exit is an unknown failure'),
    success: SuccessRule.optional().describe(
      'A regex the output must match for the run to count as a success',
    ),
  })
  .superRefine(
    (d, ctx) => {
      if (d.stdout !== undefined && Object.hasOwn(d.files, d.stdout)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stdout'],
          message: `"${d.stdout}" is also an input file; pick another name for stdout`,
        });
      }
    },
    // also when unrelated fields have problems, so that every problem is reported in one pass
    { when: (payload) => payload.issues.every((i) => !['stdout', 'files'].includes(String(i.path?.[0]))) },
  );

export type CodeDescription = z.output<typeof CodeDescription>;
export type CodeDescriptionInput = z.input<typeof CodeDescription>;
export type ValueRule = Omit<z.output<typeof countRule>, 'unit'> & { unit: Unit };
export type FailureRuleConfig = z.output<typeof FailureRule>;
export type SuccessRuleConfig = z.output<typeof SuccessRule>;
export type VersionProbeConfig = z.output<typeof VersionProbe>;
