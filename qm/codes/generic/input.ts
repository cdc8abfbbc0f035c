/**
 * A described code's inputs: the description's files and argv with their placeholders expanded. Nothing a
 * spec asks for is silently dropped: a solvent, a basis or a setting the description has no placeholder for
 * is invalid input, and so is a method when the description neither uses {{method}} nor lists `methods`.
 * Otherwise two different specs would write identical inputs.
 */
import { toXyz } from '../../molecule.js';
import { type CalcInputs, type CalcSpec, type Geometry, InvalidInputError } from '../../template.js';
import { checkGeometry, unpairedElectrons } from '../molecule-checks.js';
import {
  type CodeDescription,
  PLACEHOLDER,
  type PLACEHOLDERS,
  placeholdersOf,
  settingName,
} from './description.js';

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
export function usedPlaceholders(desc: CodeDescription): Set<string> {
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

export function writeInputs(
  desc: CodeDescription,
  used: Set<string>,
  spec: CalcSpec,
  geom: Geometry,
): CalcInputs {
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
