/**
 * The codes cascade can run, by name: each entry joins a template (what the code reads and writes), its
 * default profile (how it launches here) and its version probe (part of every cache key).
 */
import { codeVersion, xtbProfile } from '../profile.js';
import type { Crystal, Geometry, Profile, QmTemplate } from '../template.js';
import { elkTemplate } from './elk.js';
import { elkProfile, elkVersion } from './elk-profile.js';
import { nwchemTemplate } from './nwchem.js';
import { nwchemProfile, nwchemVersion } from './nwchem-profile.js';
import { xtbTemplate } from './xtb.js';

interface EntryBase {
  code: string;
  profile(overrides?: Partial<Profile>): Profile;
  version(binary: string): Promise<string>;
  /** The Debian package that provides it, for error messages and `cascade qm doctor`. */
  debianPackage: string;
  /** The method `cascade qm run` uses when none is given. */
  defaultMethod: string;
}
export type MoleculeCode = EntryBase & { system: 'molecule'; template: QmTemplate<Geometry> };
export type CrystalCode = EntryBase & { system: 'crystal'; template: QmTemplate<Crystal> };
export type CodeEntry = MoleculeCode | CrystalCode;

const registry = new Map<string, CodeEntry>();

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

registerCode({
  code: 'xtb',
  system: 'molecule',
  template: xtbTemplate,
  profile: xtbProfile,
  version: codeVersion,
  debianPackage: 'xtb',
  defaultMethod: 'gfn2',
});

registerCode({
  code: 'elk',
  system: 'crystal',
  template: elkTemplate,
  profile: elkProfile,
  version: elkVersion,
  debianPackage: 'elk-lapw',
  defaultMethod: 'pbe',
});

registerCode({
  code: 'nwchem',
  system: 'molecule',
  template: nwchemTemplate,
  profile: nwchemProfile,
  version: nwchemVersion,
  debianPackage: 'nwchem',
  defaultMethod: 'b3lyp',
});
