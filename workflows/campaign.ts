/**
 * CampaignWorkflow: the screening loop. Each round trains the surrogate on every labelled result, screens the
 * pool, acquires a batch and evaluates it up the tier ladder. Orchestration only: all data lives in the store,
 * the workflow passes ids and small summaries.
 */
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/campaign/index.js';
import type { EvaluationSummary } from '../activities/campaign/index.js';
import { batches, MAX_BATCH } from '../lib/campaign/batches.js';
import {
  type CampaignResult,
  type CampaignState,
  freshState,
  type Limits,
  type Phase,
  type Progress,
} from '../lib/campaign/progress.js';
import { promote } from '../lib/campaign/promotion.js';
import { type CampaignConfig, type TierConfig, tierName } from '../lib/campaign/schema.js';
import { extendLimits, isImprovement, stopReason } from '../lib/campaign/stopping.js';
import type { TaskQueues } from '../lib/temporal/queues.js';
import * as attrs from '../lib/temporal/search-attributes.js';

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

export const progressQuery = defineQuery<Progress>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal<[string?]>('stop');

export async function CampaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  const { campaignId, config, queues } = input;
  let limits = input.limits;
  const heartbeatTimeout = `${input.heartbeatSeconds ?? 30}s`;
  const light = proxyActivities<typeof activities>({
    taskQueue: queues.default,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 5 },
  });
  const ml = proxyActivities<typeof activities>({
    taskQueue: queues.ml,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  const slowestTier = Math.max(...config.tiers.map((t) => t.timeoutSeconds));
  const qmOptions = {
    taskQueue: queues.qm,
    heartbeatTimeout,
    retry: { maximumAttempts: 3, initialInterval: '2s' },
  };
  // geometry + the code's own timeout + margin; the runner enforces the code's timeout itself
  const qm = proxyActivities<typeof activities>({
    ...qmOptions,
    startToCloseTimeout: `${slowestTier * config.tiers.length + 300}s`,
  });
  // a batch may run its candidates one after the other; heartbeats catch a worker that died much sooner
  const qmBatch = proxyActivities<typeof activities>({
    ...qmOptions,
    startToCloseTimeout: `${slowestTier * config.tiers.length * MAX_BATCH + 300}s`,
  });

  let paused = false;
  let stopRequested: string | undefined;
  let phase: Phase = 'preparing';
  let status: Progress['status'] = 'starting';
  const batch: Progress['batch'] = { size: 0, done: 0, failed: 0 };
  let reason: string | undefined;
  const state: CampaignState = input.state ?? freshState();

  const progress = (): Progress => ({
    ...state,
    campaign: config.name,
    status,
    phase,
    limits,
    batch: { ...batch },
    stopReason: reason,
  });
  setHandler(progressQuery, progress);
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(stopSignal, (why?: string) => {
    stopRequested = why ?? 'stopped by user';
  });

  const publish = () =>
    upsertSearchAttributes([
      { key: attrs.CAMPAIGN, value: config.name },
      { key: attrs.STATUS, value: status },
      { key: attrs.ROUND, value: state.round },
      { key: attrs.EVALUATIONS, value: totalCalls(state) },
      { key: attrs.CPU_HOURS, value: state.cpuSeconds / 3600 },
      { key: attrs.ENERGY_KWH, value: state.energyJoules / 3.6e6 },
      ...(state.best ? [{ key: attrs.BEST_VALUE, value: state.best.value }] : []),
    ]);

  if (input.resume && !input.state) {
    Object.assign(state, await light.restoreCampaign({ campaignId }));
    limits = extendLimits(state, input.resume, config);
  }
  if (state.poolSize === 0) {
    const pool = await light.preparePool({ campaignId, config });
    if (pool.kept === 0) {
      throw ApplicationFailure.nonRetryable(
        `no candidates left in ${config.candidates.source} after filtering (read ${pool.read}; rejected: ${JSON.stringify(pool.rejected)})`,
        'EmptyPool',
      );
    }
    state.poolSize = pool.kept;
  }
  status = 'running';
  publish();

  const lastTier = config.tiers[config.tiers.length - 1];
  if (!lastTier) throw ApplicationFailure.nonRetryable('a campaign needs at least one tier', 'InvalidConfig');
  let roundsThisRun = 0;

  for (;;) {
    if (paused && !stopRequested) {
      status = 'paused';
      phase = 'idle';
      publish();
      await condition(() => !paused || stopRequested !== undefined);
      status = 'running';
    }
    reason = stopRequested ?? stopReason(config, limits, state);
    if (reason) break;

    phase = 'training';
    const model = await ml.trainSurrogate({
      campaignId,
      round: state.round,
      seed: config.seed + state.round,
    });
    if (model) {
      const { cpuSeconds, energyJoules, ...summary } = model;
      state.lastModel = summary;
      state.cpuSeconds += cpuSeconds;
      state.energyJoules += energyJoules;
    }

    phase = 'acquiring';
    const first = config.tiers[0] as TierConfig;
    const remaining = Math.max(
      0,
      (limits.calls[tierName(first)] ?? Number.POSITIVE_INFINITY) - (state.calls[tierName(first)] ?? 0),
    );
    const indices = await light.acquireBatch({
      campaignId,
      round: state.round,
      modelId: model?.id,
      // before a surrogate exists, a random initial batch gives it something to learn from
      size: Math.min(
        remaining,
        model
          ? config.acquisition.batchSize
          : (config.acquisition.initialBatch ?? 2 * config.acquisition.batchSize),
      ),
      seed: config.seed + state.round,
    });
    if (indices.length === 0) {
      reason = 'every candidate in the pool has been evaluated';
      break;
    }

    // the ladder: every acquired candidate starts at tier 0; promotion rules pick who climbs
    phase = 'evaluating';
    let climbing = indices;
    let roundBest: EvaluationSummary | undefined;
    for (let t = 0; t < config.tiers.length && climbing.length > 0; t++) {
      const tier = config.tiers[t] as TierConfig;
      const name = tierName(tier);
      const limit = limits.calls[name];
      if (limit !== undefined) climbing = climbing.slice(0, Math.max(0, limit - (state.calls[name] ?? 0)));
      Object.assign(batch, { tier: name, size: climbing.length, done: 0, failed: 0 });
      const counted = (rs: EvaluationSummary[]) => {
        batch.done += rs.length;
        batch.failed += rs.filter((r) => r.status !== 'ok').length;
        return rs;
      };
      const results = patched(QM_BATCHES)
        ? (
            await Promise.all(
              batches(climbing).map(async (idxs) =>
                counted(await qmBatch.evaluateBatch({ campaignId, idxs, round: state.round, tier: t })),
              ),
            )
          ).flat()
        : await Promise.all(
            climbing.map(async (idx) => {
              const r = await qm.evaluateCandidate({ campaignId, idx, round: state.round, tier: t });
              return counted([r])[0] as EvaluationSummary;
            }),
          );
      for (const r of results) {
        state.cpuSeconds += r.cpuSeconds;
        state.energyJoules += r.energyJoules;
        state.calls[name] = (state.calls[name] ?? 0) + 1;
        if (r.status !== 'ok') state.failures++;
      }
      if (t === config.tiers.length - 1) {
        roundBest = pickBest(
          results.filter((r) => r.status === 'ok'),
          config.objective.direction,
        );
      } else {
        climbing = promote(results, config.tiers[t + 1]?.promote, config.objective.direction);
      }
    }
    if (roundBest?.value !== undefined && isImprovement(config, state.best?.value, roundBest.value)) {
      state.best = {
        idx: roundBest.idx,
        label: roundBest.label,
        smiles: roundBest.smiles,
        value: roundBest.value,
      };
      state.roundsWithoutImprovement = 0;
    } else {
      state.roundsWithoutImprovement++;
    }
    state.round++;
    roundsThisRun++;
    phase = 'idle';
    publish();

    if (
      !stopRequested &&
      !paused &&
      (workflowInfo().continueAsNewSuggested || roundsThisRun >= (input.roundsPerRun ?? 25))
    ) {
      if (!stopReason(config, limits, state)) {
        await continueAsNew<typeof CampaignWorkflow>({ ...input, limits, state, resume: undefined });
      }
    }
  }

  status = 'finished';
  phase = 'idle';
  log.info('campaign finished', { campaignId, reason });
  publish();
  return progress();
}

function totalCalls(s: CampaignState): number {
  return Object.values(s.calls).reduce((a, b) => a + b, 0);
}

function pickBest<T extends { value?: number }>(rs: T[], direction: 'maximize' | 'minimize'): T | undefined {
  let best: T | undefined;
  for (const r of rs) {
    if (r.value === undefined) continue;
    if (
      !best ||
      (direction === 'maximize' ? r.value > (best.value as number) : r.value < (best.value as number))
    )
      best = r;
  }
  return best;
}
