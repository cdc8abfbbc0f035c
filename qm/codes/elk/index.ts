/** Elk (all-electron FP-LAPW) for crystals: ground-state single points. */
import type { CodeEntry, Crystal, QmTemplate } from '../../template.js';
import { elkHandlers } from './handlers.js';
import { writeElk } from './input.js';
import { parseElkOutput } from './parse.js';
import { ELK_DEBIAN_PACKAGE, elkProfile, elkVersion } from './profile.js';

export const elkTemplate: QmTemplate<Crystal> = {
  code: 'elk',
  write: writeElk,
  parse: parseElkOutput,
  handlers: elkHandlers,
};

export const elk: CodeEntry = {
  code: 'elk',
  system: 'crystal',
  template: elkTemplate,
  profile: elkProfile,
  version: elkVersion,
  debianPackage: ELK_DEBIAN_PACKAGE,
  defaultMethod: 'pbe',
};
