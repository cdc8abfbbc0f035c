/**
 * CampaignWorkflow: one campaign, one workflow. This file only wires: activity proxies on the right task
 * queues, the message handlers, the `patched()` flag and continue-as-new. The rounds themselves (train,
 * acquire, evaluate up the ladder, record) live in CampaignRounds (campaign-rounds.ts), which owns the state.
 */
import {
  type ActivityFunctionWithOptions,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign/index.js';
import { MAX_BATCH } from '../lib/campaign/batches.js';
import type { CampaignResult, CampaignState, Limits } from '../lib/campaign/progress.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import type { ExtraBudget } from '../lib/campaign/stopping.js';
import { sumUsage } from '../lib/domain/usage.js';
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
  resume?: ExtraBudget;
}

/**
 * Tiers evaluated in batches of candidates (evaluateBatch) rather than one activity per candidate
 * (evaluateCandidate); campaigns whose history predates this keep the old way on replay.
 */
const QM_BATCHES = 'qm-batches';

/** The platform's own CPU (workers, launcher, local dev server) as ledger lines (activities/platform.ts). */
const PLATFORM_LEDGER = 'platform-ledger';

/** surrogate.policy: a surrogate that costs more than it saves is replaced, retrained less, or dropped. */
const CHOOSING_POLICY = 'choosing-policy';

export async function CampaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  const rounds = new CampaignRounds(input, campaignActivities(input), {
    qmBatches: () => patched(QM_BATCHES),
    platformLedger: () => patched(PLATFORM_LEDGER),
    choosingPolicy: () => patched(CHOOSING_POLICY),
    publish: upsertSearchAttributes,
    condition: (ready) => condition(ready),
    continueAsNewSuggested: () => workflowInfo().continueAsNewSuggested,
    details: setCurrentDetails,
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
  // Retries by failure class, for training and QM alike: a worker that died (a heartbeat timeout) or shut down is
  // retried without limit, so workers can come and go; an error the activity throws is retried a few times
  // (the activity counts them and then fails as RepeatedError); what names no candidate, campaign or tier is final.
  const retry = {
    maximumAttempts: Number.POSITIVE_INFINITY,
    initialInterval: '1s',
    backoffCoefficient: 1.5,
    maximumInterval: '10s',
    nonRetryableErrorTypes: ['UnknownCandidate', 'UnknownCampaign', 'UnknownTier', 'RepeatedError'],
  };
  // training heartbeats every few seconds from start to end (activities/campaign/train.ts): a dead worker is
  // noticed in 20 s
  const ml = proxyActivities<CampaignActivities>({
    taskQueue: queues.ml,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '20s',
    retry,
  });
  const slowestTier = Math.max(...config.tiers.map((t) => t.timeoutSeconds));
  // a candidate whose calculation kills its workers becomes a failed evaluation (activities/qm/calculate.ts)
  const qmOptions = {
    taskQueue: queues.qm,
    heartbeatTimeout: `${heartbeatSeconds ?? 30}s`,
    retry,
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
  // each worker process counts its own platform CPU: ask every queue's workers. A queue nobody polls right now
  // (a host down) costs half a minute, and the campaign goes on without its line.
  const distinct = [...new Set([queues.default, queues.ml, queues.qm])];
  const platform = distinct.map(
    (taskQueue) =>
      proxyActivities<CampaignActivities>({
        taskQueue,
        scheduleToStartTimeout: '30s',
        startToCloseTimeout: '1 minute',
        retry: { maximumAttempts: 2 },
      }).accountPlatform,
  );
  const accountPlatform: RoundActivities['accountPlatform'] = async (args) => {
    const lines = await Promise.all(platform.map((account) => account(args).catch(() => undefined)));
    return { usage: sumUsage(lines.flatMap((l) => (l ? [l.usage] : []))) };
  };
  return {
    accountPlatform,
    restoreCampaign: light.restoreCampaign,
    preparePool: summarised(light.preparePool),
    trainSurrogate: summarised(ml.trainSurrogate),
    acquireBatch: summarised(light.acquireBatch),
    evaluateBatch: summarised(qmBatch.evaluateBatch),
    evaluateCandidate: summarised(qm.evaluateCandidate),
  };
}

/**
 * An activity that takes the rounds' one-line summary as user metadata, shown on its events in the Web UI.
 * Metadata is not part of the commands replay compares (test/integration/replay.test.ts replays histories
 * recorded without it).
 */
function summarised<A, R>(activity: ActivityFunctionWithOptions<(args: A) => Promise<R>>) {
  return (args: A, summary?: string): Promise<R> =>
    summary === undefined ? activity(args) : activity.executeWithOptions({ summary }, [args]);
}
