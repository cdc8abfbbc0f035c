/**
 * One campaign replayed on a labelled pool: cascade's own rounds (workflows/campaign-rounds.ts: the random first
 * batch, the budget per tier, promotion up the ladder, the stopping rules) driven by in-process activities that
 * do what the real ones do, with a lookup table in place of the QM codes:
 *
 * - trainSurrogate: the label set a real retrain learns (activities/campaign/training-set.ts: direct, or
 *   Delta-learning), fitted and screened over the whole pool by the one fit path (activities/ml/fit.ts);
 * - acquireBatch: `acquire` (lib/acquisition) on those predictions, with the best so far at the label tier;
 * - evaluateBatch: the molecule's label at that tier, its measured CPU and wall time turned into energy by
 *   cascade's model (activities/usage.ts), its geometry charged with its first calculation.
 *
 * What differs from a real campaign: no Temporal (no server, history or workflow tasks, no platform ledger lines),
 * no store (evaluations and predictions live in memory, no SQLite writes; the pool is featurised once per pool,
 * measured, and charged to each campaign as its first retrain would pay for it); QM and geometry costs are those
 * the labeller measured, not run again. Training and screening run for real in this process, one campaign at a
 * time, and are measured with the process's CPU counter (every thread of it) around fit + predict.
 */

import { trainingSet } from '../../activities/campaign/training-set.js';
import { fitSurrogates } from '../../activities/ml/fit.js';
import { measured } from '../../activities/usage.js';
import { roundContext } from '../../lib/acquisition/campaign-context.js';
import { expectedCost, fitCostModel, reachOf } from '../../lib/acquisition/cost-model.js';
import { acquire, type Predictions } from '../../lib/acquisition/index.js';
import { objectivesContext } from '../../lib/acquisition/objectives-context.js';
import { constraintsOf, isMultiObjective } from '../../lib/campaign/objectives.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { tierName } from '../../lib/campaign/schema.js';
import { limitsFromConfig } from '../../lib/campaign/stopping.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { valueOf } from '../../lib/domain/objective.js';
import { sumUsage, type Usage } from '../../lib/domain/usage.js';
import type { EvaluationRecord } from '../../store/store.js';
import { CampaignRounds, type Evaluated, type RoundActivities } from '../../workflows/campaign-rounds.js';
import type { LabelledPool } from './pool.js';

export interface PoolFeatures {
  /** Row-major, one row per pool molecule. */
  matrix: Float32Array;
  nFeatures: number;
  /** What featurising the pool once cost. */
  usage: Usage;
}

export interface ReplayOutcome {
  evaluations: EvaluationRecord[];
  /** What each activity used, summed: geometry, qm:<tier>, ml:featurize, ml:train+screen, acquire. */
  byActivity: Map<string, Usage>;
  rounds: number;
  /** Surrogates fitted (rounds with enough labels to train on). */
  fits: number;
  stopReason?: string;
  /** The campaign's own totals (CampaignRounds charges every summary's usage): the ledger's sum, as a check. */
  total: { cpuSeconds: number; energyJoules: number };
  /** Wall time of the replay, training included. */
  wallSeconds: number;
}

const CAMPAIGN = 'bench-al';

export async function replay(
  config: CampaignConfig,
  pool: LabelledPool,
  features: PoolFeatures,
  /** Each molecule's SA score by pool index, where an objective or constraint names it (the pool computes it). */
  saScores?: ArrayLike<number>,
): Promise<ReplayOutcome> {
  const t0 = performance.now();
  const evaluations: EvaluationRecord[] = [];
  const ledger = new Map<string, Usage[]>();
  const charge = (activity: string, usage: Usage) => {
    const list = ledger.get(activity);
    if (list) list.push(usage);
    else ledger.set(activity, [usage]);
  };
  /** The latest model's predictions over the pool and the tier it learned. */
  let screened: { predictions: Predictions; labelTier: string } | undefined;
  let fits = 0;
  const { morganBits } = config.surrogate.features;
  /** A candidate's fingerprint (the Morgan bits at the head of its feature row), for batch diversity. */
  const fingerprint = (idx: number) =>
    features.matrix.subarray(idx * features.nFeatures, idx * features.nFeatures + morganBits);

  const evaluate = (idx: number, tier: number, round: number): Evaluated => {
    const molecule = pool.molecules[idx];
    // the config's tiers are the pool's, in the same order
    const label = molecule?.labels[pool.tiers[tier] as string];
    if (!molecule || !label) throw new Error(`no label for molecule ${idx} at tier ${tier}`);
    const name = tierName(config.tiers[tier] as CampaignConfig['tiers'][number]);
    const value = valueOf(config.objective, label);
    // the SA score beside the tier's values, as evaluateBatch adds it
    const sa = saScores?.[idx];
    const values = sa === undefined || Number.isNaN(sa) ? label.values : { ...label.values, saScore: sa };
    evaluations.push({
      idx,
      tier: name,
      round,
      status: label.status,
      ...(value !== undefined ? { value } : {}),
      values,
      cached: false,
      cpuSeconds: label.usage.cpuSeconds,
      wallSeconds: label.usage.wallSeconds,
    });
    charge(`qm:${name}`, label.usage);
    // the structure is embedded for the first tier; the ones above start from the tier below's geometry
    if (tier === 0) charge('geometry', molecule.geometry);
    return {
      idx,
      label: molecule.id,
      identity: molecule.smiles,
      status: label.status,
      values,
      usage: tier === 0 ? sumUsage([molecule.geometry, label.usage]) : label.usage,
    };
  };

  /**
   * Each candidate's expected CPU seconds through the tiers, fitted on the evaluations so far
   * (lib/acquisition/cost-model.ts), as acquireBatch predicts them for cost-aware acquisition.
   */
  const predictedCosts = () => {
    const model = fitCostModel(
      evaluations.map((e) => ({
        tier: e.tier,
        heavyAtoms: pool.molecules[e.idx]?.heavyAtoms ?? 0,
        cost: e.cpuSeconds,
      })),
    );
    const reach = reachOf(evaluations);
    return Float64Array.from(pool.molecules, (m) => expectedCost(model, reach, m.heavyAtoms) ?? 1);
  };

  const activities: RoundActivities = {
    restoreCampaign: async () => {
      throw new Error('the bench never resumes a campaign');
    },
    preparePool: async () => {
      charge('ml:featurize', features.usage);
      return { read: pool.rows, kept: pool.molecules.length, rejected: {}, usage: features.usage };
    },
    trainSurrogate: async (args) => {
      const spec = args.config ?? config;
      const set = await trainingSet({ listEvaluations: async () => evaluations }, CAMPAIGN, spec);
      if (!set) return undefined;
      const matrix = features.matrix.slice(); // the fit moves its pool to the fitting thread
      const { value: fitted, usage } = await measured(() =>
        fitSurrogates(set, matrix, features.nFeatures, {
          spec: spec.surrogate,
          seed: args.seed,
          // as trainSurrogate: Thompson sampling draws from the ensemble's members or the forest's trees
          samples: config.acquisition.strategy === 'thompson',
        }),
      );
      charge('ml:train+screen', usage);
      fits++;
      screened = {
        predictions: {
          mean: fitted.mean,
          std: fitted.std,
          ...(fitted.samples ? { samples: fitted.samples } : {}),
        },
        labelTier: set.labelTier,
      };
      return {
        id: `${CAMPAIGN}-r${args.round}`,
        backend: fitted.backend,
        trainedOn: set.labelled.length,
        labelTier: set.labelTier,
        fidelity: set.fidelity,
        ...(set.fidelity === 'delta' ? { baseTier: set.baseTier } : {}),
        metrics: numbers(fitted.metrics),
        usage,
      };
    },
    acquireBatch: async (args) => {
      const acquisition = args.acquisition ?? config.acquisition;
      const objective = args.objective ?? config.objective;
      const { value: indices, usage } = await measured(async () => {
        // the results the surrogate learned, on the scale it predicts: its label tier's
        const labelled = evaluations.filter((e) => e.status === 'ok' && e.tier === screened?.labelTier);
        const predictions = args.modelId ? screened?.predictions : undefined;
        const ctx = roundContext({
          acquisition,
          objective,
          predictions,
          poolSize: pool.molecules.length,
          evaluated: evaluations.map((e) => e.idx),
          labelled,
          batchSize: args.size,
          seed: args.seed,
          cost: predictedCosts,
          features: fingerprint,
        });
        // several objectives or constraints: what acquireBatch adds (no other property's surrogate, no classifier)
        if (predictions && (isMultiObjective(config) || constraintsOf(config).length > 0)) {
          Object.assign(
            ctx,
            objectivesContext({
              config,
              poolSize: pool.molecules.length,
              predictions: { [config.objective.property]: predictions },
              ...(saScores ? { saScores } : {}),
              observed: labelled,
            }),
          );
        }
        return acquire(ctx);
      });
      charge('acquire', usage);
      return { indices, usage };
    },
    evaluateBatch: async (args) => args.idxs.map((idx) => evaluate(idx, args.tier, args.round)),
    evaluateCandidate: async (args) => evaluate(args.idx, args.tier, args.round),
  };

  const rounds = new CampaignRounds(
    {
      campaignId: CAMPAIGN,
      config,
      limits: limitsFromConfig(config),
      roundsPerRun: Number.POSITIVE_INFINITY,
    },
    activities,
    {
      qmBatches: () => true,
      publish: () => {},
      condition: async () => {},
      continueAsNewSuggested: () => false,
      // surrogate.policy applies as configured (the bench sets `always` unless told otherwise)
      choosingPolicy: () => true,
    },
  );
  await rounds.run();
  const progress = rounds.progress();
  return {
    evaluations,
    byActivity: new Map([...ledger].map(([activity, list]) => [activity, sumUsage(list)])),
    rounds: progress.round,
    fits,
    stopReason: progress.stopReason,
    total: { cpuSeconds: progress.cpuSeconds, energyJoules: progress.energyJoules },
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

/** A model's metrics as the rounds keep them: the numeric ones. */
function numbers(metrics: object): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number'));
}
