/** Plain-language messages for zod issues, written for chemists rather than programmers. */
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

type RawIssue = z.core.$ZodRawIssue;

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
};

/** A value as it reads in a message: `"abc"`, `12`, `true`, `a list`, `an empty value`. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Like showValue, naming the kind of a scalar too: `string "abc"`, `number 12`. */
export function showTypedValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number'
    ? `${typeof value} ${showValue(value)}`
    : showValue(value);
}

/** Per-parse zod error map; messages set in the schema itself take precedence over it. */
export const plainLanguageErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'invalid_value':
      return issue.path?.length === 1 && issue.path[0] === 'version'
        ? `unsupported config version ${showValue(issue.input)}; this release of cascade reads version ${issue.values.join(', ')}`
        : oneOf(issue.values, issue.input);
    case 'invalid_union':
      return issue.discriminator === undefined ? undefined : unknownVariant(issue.discriminator, issue);
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return issue.pattern ? `expected text matching ${issue.pattern}` : `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, got ${showValue(issue.input)}`;
    default:
      return undefined;
  }
};

function invalidType(issue: Extract<RawIssue, { code: 'invalid_type' }>): string {
  if (issue.input === undefined) return `missing required key "${String(issue.path?.at(-1) ?? '')}"`;
  if (issue.expected === 'int' && typeof issue.input === 'number') {
    return `expected a whole number, got ${issue.input}`;
  }
  return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${showTypedValue(issue.input)}`;
}

function oneOf(values: readonly unknown[], input: unknown): string {
  if (values.length === 1) return `expected ${showValue(values[0])}, got ${showValue(input)}`;
  const options = values.map(String);
  const hint = typeof input === 'string' ? didYouMean(input, options) : '';
  return `expected one of ${options.join(', ')}, got ${showValue(input)}${hint}`;
}

function unknownVariant(discriminator: string, issue: Extract<RawIssue, { code: 'invalid_union' }>): string {
  const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
  const input = issue.input;
  const value =
    typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>)[discriminator]
      : undefined;
  if (value === undefined) return `missing required key "${discriminator}" (one of ${options.join(', ')})`;
  const hint = typeof value === 'string' ? didYouMean(value, options) : '';
  return `unsupported ${discriminator} ${showValue(value)}; expected one of ${options.join(', ')}${hint}`;
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const { minimum, input } = issue;
  if (issue.origin === 'array') {
    const count = Array.isArray(input) ? input.length : 0;
    const items = `${minimum} item${minimum === 1 ? '' : 's'}`;
    return `must list at least ${items}, got ${count === 0 ? 'an empty list' : count}`;
  }
  if (issue.origin === 'string')
    return minimum === 1 ? 'must not be empty' : `must be at least ${minimum} characters long`;
  return `${issue.inclusive ? 'must be at least' : 'must be greater than'} ${minimum}, got ${showValue(input)}`;
}

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const { maximum, input } = issue;
  if (issue.origin === 'array')
    return `may list at most ${maximum} items, got ${Array.isArray(input) ? input.length : '?'}`;
  if (issue.origin === 'string') return `must be at most ${maximum} characters long`;
  return `${issue.inclusive ? 'must be at most' : 'must be less than'} ${maximum}, got ${showValue(input)}`;
}
