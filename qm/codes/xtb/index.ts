/** xtb (GFN2-xTB, GFN1-xTB, GFN-FF) for molecules: single points and optimisations. */
import type { CodeEntry, QmTemplate } from '../../template.js';
import { xtbHandlers } from './handlers.js';
import { writeXtbInput } from './input.js';
import { parseXtbOutput } from './parse.js';
import { xtbProfile, xtbVersion } from './profile.js';

export const xtbTemplate: QmTemplate = {
  code: 'xtb',
  write: writeXtbInput,
  parse: parseXtbOutput,
  handlers: xtbHandlers,
};

export const xtb: CodeEntry = {
  code: 'xtb',
  system: 'molecule',
  template: xtbTemplate,
  profile: xtbProfile,
  version: xtbVersion,
  debianPackage: 'xtb',
  defaultMethod: 'gfn2',
};
