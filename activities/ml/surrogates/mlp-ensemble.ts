/**
 * The deep ensemble of MLPs (../ensemble.ts), fitted and screening the pool in its worker thread (../trainer.ts).
 * Its members' predictions are joint draws for Thompson sampling.
 */
import type { SurrogateEntry } from '../../../lib/surrogate.js';
import { trainAndPredict } from '../trainer.js';

export const mlpEnsemble: SurrogateEntry<'mlp-ensemble'> = {
  kind: 'mlp-ensemble',
  provides: { mean: true, std: true, samples: 'members', quantiles: false },
  fitAndPredict: (req) => trainAndPredict({ ...req, transfer: req.transfer ?? false }),
};
