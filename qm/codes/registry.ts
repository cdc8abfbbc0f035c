/**
 * The codes cascade can run, by name: each entry joins a template (what the code reads and writes), its
 * default profile (how it launches here) and its version probe (part of every cache key).
 *
 * Adding a code: a folder qm/codes/<code>/ (settings, input, parse, handlers, profile, and an index.ts that
 * exports the entry) and one line in BUILT_IN below. Codes described in YAML are registered at run time
 * (qm/codes/generic/).
 */
import type { CodeEntry } from '../template.js';
import { elk } from './elk/index.js';
import { nwchem } from './nwchem/index.js';
import { xtb } from './xtb/index.js';

const BUILT_IN: CodeEntry[] = [xtb, elk, nwchem];

const registry = new Map<string, CodeEntry>(BUILT_IN.map((entry) => [entry.code, entry]));

/** Adds (or, for the same name, replaces) a code in this process. */
export function registerCode(entry: CodeEntry): void {
  registry.set(entry.code, entry);
}

export function codeEntry(code: string): CodeEntry {
  const entry = registry.get(code);
  if (!entry) throw new Error(`unknown code "${code}" (known: ${[...registry.keys()].join(', ')})`);
  return entry;
}

export function knownCodes(): CodeEntry[] {
  return [...registry.values()];
}
