/**
 * The registry of surrogate kinds: kind -> entry (how it fits and predicts a pool, what it provides).
 *
 * Adding a surrogate: write `<kind>.ts` here exporting its SurrogateEntry (lib/surrogate.ts), add the kind to
 * lib/surrogate/kinds.ts (and its settings, if any, to the `Surrogate` schema), and add its line below; the
 * compiler refuses a kind without an entry. The fit path (../fit.ts), recalibration and Delta-learning then work
 * for it unchanged.
 */

import { type SurrogateKind, surrogateKinds } from '../../../lib/surrogate/kinds.js';
import type { SurrogateEntry } from '../../../lib/surrogate.js';
import { mlpEnsemble } from './mlp-ensemble.js';
import { qrf } from './qrf.js';

export const SURROGATES: { readonly [K in SurrogateKind]: SurrogateEntry<K> } = {
  'mlp-ensemble': mlpEnsemble,
  qrf,
};

export function surrogateFor(kind: SurrogateKind): SurrogateEntry {
  if (!Object.hasOwn(SURROGATES, kind))
    throw new Error(`unknown surrogate kind "${kind}": this worker knows ${surrogateKinds.join(', ')}`);
  return SURROGATES[kind];
}
