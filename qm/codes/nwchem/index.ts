/** NWChem for molecules: Gaussian-basis DFT, single points and optimisations. */
import type { CodeEntry, QmTemplate } from '../../template.js';
import { nwchemHandlers } from './handlers.js';
import { writeNwchemInput } from './input.js';
import { parseNwchemOutput } from './parse.js';
import { nwchemProfile, nwchemVersion } from './profile.js';

export const nwchemTemplate: QmTemplate = {
  code: 'nwchem',
  write: writeNwchemInput,
  parse: parseNwchemOutput,
  handlers: nwchemHandlers,
};

export const nwchem: CodeEntry = {
  code: 'nwchem',
  system: 'molecule',
  template: nwchemTemplate,
  profile: nwchemProfile,
  version: nwchemVersion,
  debianPackage: 'nwchem',
  defaultMethod: 'b3lyp',
};
