/**
 * Codes described in YAML (configs/codes/*.yaml; schema in description.ts) rather than written in TypeScript:
 * a description becomes a template (input.ts writes, parse.ts reads), a profile and a version probe
 * (profile.ts), and a registry entry `cascade qm run` can use (`--code-file FILE`, or `--code NAME` for
 * $CASCADE_HOME/codes/NAME.yaml).
 *
 * Only single points (task "energy") on molecules: an optimisation or a crystal needs knowledge of the code
 * (where the final geometry is, how the cell is written) that a handful of regexes cannot carry.
 */
import type { Problem } from '../../../lib/config/problem.js';
import { loadYamlConfig } from '../../../lib/config/yaml-config.js';
import type { CodeEntry, Profile, QmTemplate } from '../../template.js';
import { CodeDescription, type ParsedProperty, type ValueRule } from './description.js';
import { usedPlaceholders, writeInputs } from './input.js';
import { type CompiledRule, compile, genericParse } from './parse.js';
import { descriptionHash, genericProfile, probeVersion } from './profile.js';

export { CodeDescription } from './description.js';

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

/** Why a code description file cannot be used: every problem, positioned. */
export class CodeDescriptionError extends Error {
  override name = 'CodeDescriptionError';

  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: not a usable code description (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
    );
  }
}

/**
 * The registry entry (qm/codes/registry.ts) for a description (YAML `text`, read from `file`): a molecular
 * code whose default method is the first of its `methods` (none without that list). Throws
 * CodeDescriptionError.
 */
export function describedCode(text: string, file: string): CodeEntry {
  const loaded = loadCodeDescription(text, file);
  const { description, template, version } = loaded;
  if (!description || !template || !version || loaded.problems.length > 0)
    throw new CodeDescriptionError(file, loaded.problems);
  return {
    code: description.code,
    system: 'molecule',
    template,
    profile: (overrides) => genericProfile(description, overrides),
    version,
    debianPackage: '',
    defaultMethod: Object.keys(description.methods ?? {})[0] ?? '',
  };
}
