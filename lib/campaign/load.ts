/**
 * Reads a campaign YAML text into a validated CampaignConfig, or into problems that say exactly where
 * the file is wrong and what to write instead. Pure: the caller reads the file.
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
import { plainLanguageErrors, showTypedValue } from './issue-messages.js';
import { dottedPath, type Problem, sortProblems } from './problem.js';
import { CampaignConfig } from './schema.js';
import { validationProblems } from './validation-problems.js';
import { YamlLocator } from './yaml-locator.js';

export { formatProblem, type Problem } from './problem.js';

/** Aliases (`*name`) may expand to at most this many nodes: enough for reuse, far too few for an alias bomb. */
export const MAX_ALIAS_EXPANSION = 100;

export interface LoadResult {
  /** Present only when there are no problems. */
  config?: CampaignConfig;
  /** Every problem found, in file order. */
  problems: Problem[];
}

export function loadCampaign(text: string, file: string): LoadResult {
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

  const rootProblem = checkRoot(doc);
  if (rootProblem) return { problems: [problemAt(rootProblem.offset, [], rootProblem.message)] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (error) {
    const alias = offendingAlias(doc);
    return { problems: [problemAt(alias ?? 0, locator.pathAt(alias ?? 0), aliasMessage(error))] };
  }

  const result = CampaignConfig.safeParse(data, { reportInput: true, error: plainLanguageErrors });
  if (result.success) return { config: result.data, problems: [] };
  return {
    problems: sortProblems(validationProblems(CampaignConfig, result.error.issues, data, locator, file)),
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

function checkRoot(doc: Document): { offset: number; message: string } | undefined {
  const root = doc.contents;
  const offset = root?.range?.[0] ?? 0;
  if (root === null || (isScalar(root) && root.value === null)) {
    return {
      offset,
      message: 'the file is empty; a campaign needs at least name, candidates, objective and tiers',
    };
  }
  if (isMap(root)) return undefined;
  const got = isSeq(root) ? 'a list' : isScalar(root) ? showTypedValue(root.value) : 'something else';
  return {
    offset,
    message: `expected a mapping of campaign settings (key: value lines) at the top level, got ${got}`,
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
