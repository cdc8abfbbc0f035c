/** The activities a campaign workflow calls; workflows import this module as types only. */
export { acquireBatch } from './acquire.js';
export { type EvaluationSummary, evaluateBatch, evaluateCandidate } from './evaluate.js';
export { preparePool } from './pool.js';
export { restoreCampaign } from './restore.js';
export { type ModelSummary, trainSurrogate } from './train.js';
