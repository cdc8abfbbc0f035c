/**
 * Reads a YAML text into data validated by a zod schema, or into problems that say exactly where the
 * file is wrong and what to write instead. Shared by every YAML file cascade reads (campaigns, code
 * descriptions); each caller supplies its schema and the words for an empty or non-mapping file. Pure:
 * the caller reads the file.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';
import { plainLanguageErrors, showTypedValue } from './issue-messages.js';
import { dottedPath, type Problem, sortProblems } from './problem.js';
import { validationProblems } from './validation-problems.js';
import { YamlLocator } from './yaml-locator.js';

/** Aliases (`*name`) may expand to at most this many nodes: enough for reuse, far too few for an alias bomb. */
export const MAX_ALIAS_EXPANSION = 100;

export interface YamlConfigOptions {
  /** What the top-level mapping holds, for "expected a mapping of ... at the top level" (e.g. "campaign settings"). */
  contents: string;
  /** The message for an empty file, saying what it needs at least. */
  emptyMessage: string;
}

export interface YamlConfigResult<T> {
  /** Present only when there are no problems. */
  data?: T;
  /** Every problem found, in file order. */
  problems: Problem[];
}

export function loadYamlConfig<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  options: YamlConfigOptions,
): YamlConfigResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new YamlLocator(doc, lineCounter);
  const problemAt = (offset: number, path: readonly PropertyKey[], message: string): Problem => ({
    file,
    ...locator.position(offset),
    path: dottedPath(path),
    message,
  });

  const syntax = [...doc.errors, ...doc.warnings].map((error) => yamlProblem(error, locator, file));
  if (syntax.length > 0) return { problems: sortProblems(syntax) };

  const rootProblem = checkRoot(doc, options);
  if (rootProblem) return { problems: [problemAt(rootProblem.offset, [], rootProblem.message)] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (error) {
    const alias = offendingAlias(doc);
    return { problems: [problemAt(alias ?? 0, locator.pathAt(alias ?? 0), aliasMessage(error))] };
  }

  const result = schema.safeParse(data, { reportInput: true, error: plainLanguageErrors });
  if (result.success) return { data: result.data, problems: [] };
  return {
    problems: sortProblems(validationProblems(schema, result.error.issues, data, locator, file)),
  };
}

/** A YAML-level problem. Only a duplicate key has a trustworthy field path; the rest concern the text. */
function yamlProblem(error: YAMLError, locator: YamlLocator, file: string): Problem {
  const offset = error.pos[0];
  const position = locator.position(offset);
  if (error.code === 'DUPLICATE_KEY') {
    const path = locator.pathAt(offset);
    const key = path.at(-1);
    const message = `duplicate key${key === undefined ? '' : ` "${key}"`}; each key may appear only once in a mapping`;
    return { file, ...position, path: dottedPath(path), message };
  }
  return { file, ...position, path: '', message: `invalid YAML: ${error.message}` };
}

function checkRoot(
  doc: Document,
  options: YamlConfigOptions,
): { offset: number; message: string } | undefined {
  const root = doc.contents;
  const offset = root?.range?.[0] ?? 0;
  if (root === null || (isScalar(root) && root.value === null))
    return { offset, message: options.emptyMessage };
  if (isMap(root)) return undefined;
  const got = isSeq(root) ? 'a list' : isScalar(root) ? showTypedValue(root.value) : 'something else';
  return {
    offset,
    message: `expected a mapping of ${options.contents} (key: value lines) at the top level, got ${got}`,
  };
}

/** Where a failed alias expansion should point: an alias with no matching anchor, else the first alias. */
function offendingAlias(doc: Document): number | undefined {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      first ??= node.range?.[0];
      if (node.resolve(doc) === undefined) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
    },
  });
  return unresolved ?? first;
}

function aliasMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/excessive alias count/i.test(text)) {
    return `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes; refusing to expand (possible alias bomb)`;
  }
  return `invalid YAML: ${text}`;
}
