/**
 * The activities a campaign workflow calls, built around the store they are given (as Temporal's
 * activities-dependency-injection sample does): the worker opens the store and injects it, tests can inject
 * their own. Workflows import this module as types only (`CampaignActivities`).
 */
import type { Store } from '../../store/store.js';
import { accountPlatform, type PlatformArgs } from '../platform.js';
import { type AcquireBatchArgs, acquireBatch } from './acquire.js';
import { type EvaluateArgs, type EvaluateBatchArgs, evaluateBatch, evaluateCandidate } from './evaluate.js';
import { preparePool } from './pool.js';
import { restoreCampaign } from './restore.js';
import { type TrainArgs, trainSurrogate } from './train.js';

export interface ActivityDeps {
  store: Store;
}

export function createActivities({ store }: ActivityDeps) {
  return {
    preparePool: (args: Parameters<typeof preparePool>[1]) => preparePool(store, args),
    acquireBatch: (args: AcquireBatchArgs) => acquireBatch(store, args),
    restoreCampaign: (args: Parameters<typeof restoreCampaign>[1]) => restoreCampaign(store, args),
    trainSurrogate: (args: TrainArgs) => trainSurrogate(store, args),
    accountPlatform: (args: PlatformArgs) => accountPlatform(store, args),
    evaluateBatch: (args: EvaluateBatchArgs) => evaluateBatch(store, args),
    /** For campaigns that started before batches. */
    evaluateCandidate: (args: EvaluateArgs) => evaluateCandidate(store, args),
  };
}

export type CampaignActivities = ReturnType<typeof createActivities>;
export type { EvaluationSummary, ModelSummary } from '../../lib/campaign/results.js';
