/**
 * Code-specific settings of a spec (`spec.settings`, a campaign tier's `settings`, `--set`): the building
 * blocks of each code's zod schema, reading a spec's settings through that schema with errors that name the
 * code and the setting, and the spec with some of them replaced (what restart handlers return).
 *
 * One schema per code (qm/codes/<code>/settings.ts) serves the template, `cascade validate` (the campaign
 * schema composes it) and the published JSON Schema. Its messages read "must be ..., got X" so that both a
 * campaign problem ("tiers[1].settings.iterations: must be a positive integer, got -5") and a template error
 * ("nwchem setting iterations must be a positive integer, got -5") read well.
 */
import { z } from 'zod';
import { didYouMean } from '../../lib/config/did-you-mean.js';
import { type CalcSpec, InvalidInputError } from '../template.js';

const got = (input: unknown) => `, got ${JSON.stringify(input)}`;

/** A whole number >= 1. */
export function positiveInt() {
  const message = (i: { input?: unknown }) => `must be a positive integer${got(i.input)}`;
  return z.int({ error: message }).min(1, { error: message });
}

/** A finite number > 0, at most `max` when given. */
export function positiveNumber(max?: number) {
  const what = `a positive number${max === undefined ? '' : ` <= ${max}`}`;
  const message = (i: { input?: unknown }) => `must be ${what}${got(i.input)}`;
  const n = z.number({ error: message }).positive({ error: message });
  return max === undefined ? n : n.max(max, { error: message });
}

/** A whole number from `min` to `max`, described as `what` ("an integer percentage from 0 to 99"). */
export function intBetween(min: number, max: number, what: string) {
  const message = (i: { input?: unknown }) => `must be ${what}${got(i.input)}`;
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** One of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (i) =>
      `must be one of ${values.join(', ')}${got(i.input)}${typeof i.input === 'string' ? didYouMean(i.input, values) : ''}`,
  });
}

/** true or false. */
export function flag() {
  return z.boolean({ error: (i) => `must be true or false${got(i.input)}` });
}

/** Three numbers, each built by `element` with the given error ("three positive integers"). */
export function triple(element: (error: () => string) => z.ZodNumber, what: string) {
  const error = () => `must be ${what}`;
  const e = element(error);
  return z.tuple([e, e, e], { error });
}

export interface ReadSettingsOptions {
  /** Names people reach for, and what the code calls them: `{ lshift: 'levelShift' }`. */
  hints?: Readonly<Record<string, string>>;
  /** The message for unknown keys, when the code words it its own way. */
  unknownKeys?: (keys: string[], known: string[]) => string;
}

/**
 * `raw` read through `schema` (a strict object of one code's settings); throws InvalidInputError naming the
 * code and the setting: "xtb setting iterations must be a positive integer, got 2.5", "unknown nwchem
 * setting "lshift" (did you mean levelShift?) (known: ...)".
 */
export function readSettings<S extends z.ZodObject>(
  code: string,
  schema: S,
  raw: Record<string, unknown>,
  options: ReadSettingsOptions = {},
): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const known = Object.keys(schema.shape);
  const unknown = r.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  if (unknown.length > 0) {
    if (options.unknownKeys) throw new InvalidInputError(options.unknownKeys(unknown, known));
    const key = unknown[0] as string;
    const hint = options.hints?.[key] ? ` (did you mean ${options.hints[key]}?)` : didYouMean(key, known);
    throw new InvalidInputError(`unknown ${code} setting "${key}"${hint} (known: ${known.join(', ')})`);
  }
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const name = String(issue.path[0] ?? '');
  const message = issue.message.includes(', got ') ? issue.message : `${issue.message}${got(raw[name])}`;
  throw new InvalidInputError(`${code} setting ${name} ${message}`);
}

/** The value, when the spec is an optimisation: the setting means nothing to a single point. */
export function optimizeOnly<T>(code: string, name: string, value: T, spec: CalcSpec): T {
  if (value !== undefined && spec.task !== 'optimize')
    throw new InvalidInputError(`${code} setting ${name} needs task "optimize"`);
  return value;
}

/** The spec with `settings` merged over its own; a setting given as undefined is removed. */
export function withSettings(spec: CalcSpec, settings: Record<string, unknown>): CalcSpec {
  const merged: Record<string, unknown> = { ...spec.settings, ...settings };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return { ...spec, settings: merged };
}
