/** Turns zod issues into problems positioned in the YAML source. */
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { showValue } from './issue-messages.js';
import { dottedPath, type Problem } from './problem.js';
import { fieldDescription, isRecordField, knownKeys } from './schema-walk.js';
import type { YamlLocator } from './yaml-locator.js';

export function validationProblems(
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  locator: YamlLocator,
  file: string,
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly PropertyKey[], target: 'key' | 'value', message: string) => {
    problems.push({ file, ...locator.locate(path, target), path: dottedPath(path), message });
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = knownKeys(schema, issue.path, data);
      for (const key of issue.keys) add([...issue.path, key], 'key', unknownKey(key, allowed));
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      const description = fieldDescription(schema, issue.path, data);
      add(issue.path, 'value', description ? `${issue.message}: ${lowerFirst(description)}` : issue.message);
    } else if (issue.code === 'invalid_format' && !issue.message.includes(', got ')) {
      add(issue.path, 'value', `${issue.message}, got ${showValue(issue.input)}`);
    } else {
      // A check on a key of a free-form mapping (budget.callsPerTier) is about the key, not its value.
      const aboutKey = issue.code === 'custom' && isRecordField(schema, issue.path.slice(0, -1), data);
      add(issue.path, aboutKey ? 'key' : 'value', issue.message);
    }
  }
  return problems;
}

function unknownKey(key: string, allowed: readonly string[]): string {
  const hint = didYouMean(key, allowed);
  if (hint !== '' || allowed.length === 0) return `unknown key "${key}"${hint}`;
  return `unknown key "${key}"; allowed here: ${allowed.join(', ')}`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}
