/**
 * CampaignWorkflow: one campaign, one workflow. This file only wires: activity proxies on the right task
 * queues, the message handlers, the `patched()` flag and continue-as-new. The rounds themselves (train,
 * acquire, evaluate up the ladder, record) live in CampaignRounds (campaign-rounds.ts), which owns the state.
 */
import {
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign/index.js';
import { MAX_BATCH } from '../lib/campaign/batches.js';
import type { CampaignResult, CampaignState, Limits } from '../lib/campaign/progress.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import type { TaskQueues } from '../lib/temporal/queues.js';
import { CampaignRounds, type RoundActivities } from './campaign-rounds.js';
import {
  pauseSignal,
  pauseUpdate,
  progressQuery,
  resumeSignal,
  resumeUpdate,
  stopSignal,
  stopUpdate,
} from './messages.js';

export {
  pauseSignal,
  pauseUpdate,
  progressQuery,
  resumeSignal,
  resumeUpdate,
  stopSignal,
  stopUpdate,
} from './messages.js';

export interface CampaignWorkflowInput {
  campaignId: string;
  config: CampaignConfig;
  queues: TaskQueues;
  limits: Limits;
  /** Rounds per workflow run before continue-as-new, even if the server has not suggested it (default 25). */
  roundsPerRun?: number;
  /** Seconds without a heartbeat after which a QM activity is retried elsewhere (a worker died). */
  heartbeatSeconds?: number;
  /** Carried by continue-as-new. */
  state?: CampaignState;
  /** Set by `cascade resume`: rebuild the state from the store and add this budget to what was spent. */
  resume?: { rounds?: number; calls?: number; cpuHours?: number };
}

/**
 * Tiers evaluated in batches of candidates (evaluateBatch) rather than one activity per candidate
 * (evaluateCandidate); campaigns whose history predates this keep the old way on replay.
 */
const QM_BATCHES = 'qm-batches';

export async function CampaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  const rounds = new CampaignRounds(input, campaignActivities(input), {
    qmBatches: () => patched(QM_BATCHES),
    publish: upsertSearchAttributes,
    condition: (ready) => condition(ready),
    continueAsNewSuggested: () => workflowInfo().continueAsNewSuggested,
  });

  setHandler(progressQuery, () => rounds.progress());
  setHandler(pauseUpdate, () => rounds.pause(), { validator: () => rounds.validatePause() });
  setHandler(resumeUpdate, () => rounds.resume(), { validator: () => rounds.validateResume() });
  setHandler(stopUpdate, (why: string) => rounds.stop(why), {
    validator: (_why: string) => rounds.validateStop(),
  });
  // signals from clients (and campaigns) of before the updates: no answer, no refusal
  setHandler(pauseSignal, () => void rounds.pause());
  setHandler(resumeSignal, () => void rounds.resume());
  setHandler(stopSignal, (why?: string) => void rounds.stop(why));

  if ((await rounds.run()) === 'continue-as-new') {
    await continueAsNew<typeof CampaignWorkflow>({ ...input, ...rounds.getState(), resume: undefined });
  }
  const result = rounds.progress();
  log.info('campaign finished', { campaignId: input.campaignId, reason: result.stopReason });
  return result;
}

/** The activities on their task queues, with timeouts and retries to suit each. */
function campaignActivities({ config, queues, heartbeatSeconds }: CampaignWorkflowInput): RoundActivities {
  const light = proxyActivities<CampaignActivities>({
    taskQueue: queues.default,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 5 },
  });
  const ml = proxyActivities<CampaignActivities>({
    taskQueue: queues.ml,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  const slowestTier = Math.max(...config.tiers.map((t) => t.timeoutSeconds));
  const qmOptions = {
    taskQueue: queues.qm,
    heartbeatTimeout: `${heartbeatSeconds ?? 30}s`,
    retry: { maximumAttempts: 3, initialInterval: '2s' },
  };
  // geometry + the code's own timeout + margin; the runner enforces the code's timeout itself
  const qm = proxyActivities<CampaignActivities>({
    ...qmOptions,
    startToCloseTimeout: `${slowestTier * config.tiers.length + 300}s`,
  });
  // a batch may run its candidates one after the other; heartbeats catch a worker that died much sooner
  const qmBatch = proxyActivities<CampaignActivities>({
    ...qmOptions,
    startToCloseTimeout: `${slowestTier * config.tiers.length * MAX_BATCH + 300}s`,
  });
  return {
    restoreCampaign: light.restoreCampaign,
    preparePool: light.preparePool,
    trainSurrogate: ml.trainSurrogate,
    acquireBatch: light.acquireBatch,
    evaluateBatch: qmBatch.evaluateBatch,
    evaluateCandidate: qm.evaluateCandidate,
  };
}
