/**
 * CampaignRounds: the campaign's state and its rounds. Each round trains the surrogate on every labelled
 * result, screens the pool, acquires a batch and evaluates it up the tier ladder; promotion picks who climbs,
 * the objective says who is best, the budget and the stopping rules say when to end. Pause, resume and stop
 * land here too, each with a validator that refuses what makes no sense ("already paused").
 *
 * The workflow file (campaign.ts) wires it: activity proxies, message handlers, `patched()` and
 * continue-as-new. Nothing here needs a workflow context, so test/unit/campaign-rounds.test.ts runs whole
 * campaigns with fake activities and no server. The commands it issues, in their order, are those of every
 * recorded history (test/integration/replay.test.ts): change them only behind a new patch.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  type SearchAttributeUpdatePair,
  TemporalFailure,
} from '@temporalio/common';
import {
  acquisitionSummary,
  evaluationSummary,
  type KnownCandidate,
  poolSummary,
  trainingSummary,
} from '../lib/campaign/activity-summaries.js';
import { batches } from '../lib/campaign/batches.js';
import {
  afterRound,
  EXHAUSTIVE_BATCHES,
  freshChoosing,
  type RoundCosts,
  trainsThisRound,
} from '../lib/campaign/choosing.js';
import { hitsAmong, isClassObjective } from '../lib/campaign/class-objective.js';
import { campaignDetails } from '../lib/campaign/details.js';
import { feasible, isMultiObjective, nextFront } from '../lib/campaign/objectives.js';
import { poolSource } from '../lib/campaign/pool-source.js';
import {
  type Best,
  type CampaignState,
  currentBest,
  freshState,
  type Limits,
  type Phase,
  type Progress,
  type RecordedBest,
} from '../lib/campaign/progress.js';
import { promote } from '../lib/campaign/promotion.js';
import type { EvaluationSummary, ModelSummary, NoModel } from '../lib/campaign/results.js';
import { spent } from '../lib/campaign/results.js';
import { type CampaignConfig, tierName } from '../lib/campaign/schema.js';
import {
  campaignCarbonIntensity,
  type ExtraBudget,
  extendLimits,
  hitsImprove,
  isImprovement,
  stopReason,
} from '../lib/campaign/stopping.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { pickBest, valueOf } from '../lib/domain/objective.js';
import type { Usage } from '../lib/domain/usage.js';
import * as attrs from '../lib/temporal/search-attributes.js';
import { REFUSALS } from './messages.js';

/** What the rounds read of an evaluation: today's summary, or one recorded in an older history. */
export type Evaluated = Pick<EvaluationSummary, 'idx' | 'label' | 'status'> &
  Partial<
    Pick<
      EvaluationSummary,
      'identity' | 'values' | 'usage' | 'value' | 'smiles' | 'cpuSeconds' | 'energyJoules' | 'cached'
    >
  >;

/** What the rounds read of a trained surrogate, today's or recorded earlier. */
export type Trained = Pick<
  ModelSummary,
  'id' | 'backend' | 'trainedOn' | 'labelTier' | 'fidelity' | 'baseTier' | 'metrics'
> &
  Partial<Pick<ModelSummary, 'usage' | 'cpuSeconds' | 'energyJoules'>>;

/** A batch as acquireBatch returns it, with what choosing it used (histories recorded earlier: the indices alone). */
export interface Acquired {
  indices: number[];
  usage?: Usage;
}

/** What an evaluation needs of the config: the tier, the one below it, the objective's property. */
export interface Ladder {
  tier: CampaignConfig['tiers'][number];
  previous?: CampaignConfig['tiers'][number];
  property: string;
}

/**
 * The activities a campaign calls, as the workflow's proxies (or a test's fakes) provide them. `summary` is a
 * line the Web UI shows on the scheduled activity (lib/campaign/activity-summaries.ts); fakes may ignore it.
 */
export interface RoundActivities {
  restoreCampaign(args: { campaignId: string; config?: CampaignConfig }): Promise<CampaignState>;
  preparePool(
    args: {
      campaignId: string;
      config: CampaignConfig;
    },
    summary?: string,
  ): Promise<{ read: number; kept: number; rejected: Record<string, number>; usage?: Usage }>;
  trainSurrogate(
    args: {
      campaignId: string;
      round: number;
      seed: number;
      config?: Pick<CampaignConfig, 'surrogate' | 'tiers'>;
    },
    summary?: string,
  ): Promise<Trained | NoModel | undefined>;
  acquireBatch(
    args: {
      campaignId: string;
      round: number;
      modelId?: string;
      size: number;
      seed: number;
      acquisition?: CampaignConfig['acquisition'];
      objective?: CampaignConfig['objective'];
    },
    summary?: string,
  ): Promise<Acquired | number[]>;
  evaluateBatch(
    args: {
      campaignId: string;
      idxs: number[];
      round: number;
      tier: number;
      ladder?: Ladder;
    },
    summary?: string,
  ): Promise<Evaluated[]>;
  evaluateCandidate(
    args: {
      campaignId: string;
      idx: number;
      round: number;
      tier: number;
      ladder?: Ladder;
    },
    summary?: string,
  ): Promise<Evaluated>;
  /**
   * The platform's own CPU (workers, launcher, local dev server) since the last call, on every queue's workers
   * (activities/platform.ts); `start` drops what came before the campaign. Never fails a campaign.
   */
  accountPlatform?(args: { campaignId: string; round: number; start?: boolean }): Promise<{ usage?: Usage }>;
}

/** What the workflow lends the rounds: its context's answers, injected so this file needs none. */
export interface WorkflowHooks {
  /** `patched('qm-batches')`: a tier goes out in batches (false only when replaying a history from before). */
  qmBatches(): boolean;
  /** `upsertSearchAttributes`. */
  publish(pairs: SearchAttributeUpdatePair[]): void;
  /** `condition`: resolves once `ready()` holds. */
  condition(ready: () => boolean): Promise<unknown>;
  /** `workflowInfo().continueAsNewSuggested`. */
  continueAsNewSuggested(): boolean;
  /** `setCurrentDetails`: the Markdown table the Web UI shows for this run (no command: replays are unaffected). */
  details?(text: string): void;
  /** `patched('choosing-policy')`: surrogate.policy applies (false replaying a history from before). */
  choosingPolicy?(): boolean;
  /** `patched('platform-ledger')`: the platform's CPU goes to the ledger (false replaying a history from before). */
  platformLedger?(): boolean;
}

export interface RoundsInput {
  campaignId: string;
  config: CampaignConfig;
  limits: Limits;
  /** Rounds per workflow run before continue-as-new, even if the server has not suggested it (default 25). */
  roundsPerRun?: number;
  /** Carried by continue-as-new (possibly from an older run, whose best has `smiles`). */
  state?: CampaignState;
  /** Set by `cascade resume`: rebuild the state from the store and add this budget to what was spent. */
  resume?: ExtraBudget;
}

/** How a run ends: the campaign is over, or it goes on in a new run (continue-as-new) from `getState()`. */
export type RunEnd = 'finished' | 'continue-as-new';

const DEFAULT_ROUNDS_PER_RUN = 25;

export class CampaignRounds {
  readonly campaignId: string;
  readonly config: CampaignConfig;
  private limits: Limits;
  private readonly state: CampaignState;
  private paused = false;
  private stopRequested: string | undefined;
  private phase: Phase = 'preparing';
  private status: Progress['status'] = 'starting';
  private readonly batch: Progress['batch'] = { size: 0, done: 0, failed: 0 };
  private reason: string | undefined;
  private roundsThisRun = 0;
  /** What this round's calculations used (joules), for surrogate.policy. */
  private roundSpend: Pick<RoundCosts, 'computed' | 'cached'> = { computed: {}, cached: {} };
  /** This round's results at the last tier (the front takes the feasible ones). */
  private lastTier: Evaluated[] = [];
  /** The surrogate kind being trained this round, for the Web UI's details. */
  private training: string | undefined;

  constructor(
    private readonly input: RoundsInput,
    private readonly activities: RoundActivities,
    private readonly hooks: WorkflowHooks,
  ) {
    this.campaignId = input.campaignId;
    this.config = input.config;
    this.limits = input.limits;
    this.state = withCurrentBest(input.state ? { ...input.state } : freshState());
  }

  /** The `progress` query's answer, and the workflow's result. */
  progress(): Progress {
    return {
      ...this.state,
      campaign: this.config.name,
      // asked to stop, finishing the round in flight (not published: the search attribute changes at the end)
      status: this.stopRequested !== undefined && this.status === 'running' ? 'stopping' : this.status,
      phase: this.phase,
      limits: this.limits,
      batch: { ...this.batch },
      stopReason: this.reason,
    };
  }

  /** What continue-as-new carries into the next run. */
  getState(): { limits: Limits; state: CampaignState } {
    return { limits: this.limits, state: this.state };
  }

  // --- pause, resume, stop: validators throw the refusal; handlers answer what will happen ---

  validatePause(): void {
    this.refuseIfOver();
    if (this.paused) throw new Error(REFUSALS.paused);
  }

  pause(): string {
    this.paused = true;
    return this.status === 'starting'
      ? 'will pause before the first round'
      : `will pause when the current round ends (now ${this.phase})`;
  }

  validateResume(): void {
    this.refuseIfOver();
    if (!this.paused) throw new Error(REFUSALS.notPaused);
  }

  resume(): string {
    const wasHolding = this.status === 'paused';
    this.paused = false;
    return wasHolding ? 'running again' : 'the pause was cancelled before it took effect';
  }

  validateStop(): void {
    this.refuseIfOver();
  }

  stop(why?: string): string {
    this.stopRequested = why ?? 'stopped by user';
    return this.status === 'paused'
      ? 'stopping now (it was paused)'
      : `will stop when the current round ends (now ${this.phase})`;
  }

  private refuseIfOver(): void {
    if (this.over()) throw new Error(REFUSALS.finished);
    if (this.stopRequested !== undefined) throw new Error(REFUSALS.stopping);
  }

  // --- the run ---

  private over(): boolean {
    return this.status === 'finished' || this.status === 'stopped' || this.status === 'failed';
  }

  /**
   * Prepares, then runs rounds until the campaign ends or this run should hand over to a new one. The end is
   * published as `stopped` when a user stopped it and `finished` when its budget, target or patience did; a
   * failure that fails the workflow is published as `failed` before it propagates.
   */
  async run(): Promise<RunEnd> {
    try {
      await this.prepare();
      for (;;) {
        await this.holdWhilePaused();
        this.reason = this.stopRequested ?? stopReason(this.config, this.limits, this.state);
        if (this.reason) break;
        this.reason = await this.runRound();
        if (this.reason) break;
        if (this.timeForNewRun()) {
          await this.accountPlatform(false);
          return 'continue-as-new';
        }
      }
      await this.accountPlatform(false);
    } catch (e) {
      // a TemporalFailure (an activity out of retries, a non-retryable ApplicationFailure) fails the workflow;
      // anything else fails only the workflow task, which is retried: nothing to publish then
      if (e instanceof TemporalFailure && !(e instanceof CancelledFailure)) {
        this.status = 'failed';
        this.phase = 'idle';
        this.reason = e.message;
        this.publish();
      }
      throw e;
    }
    this.status = this.stopRequested !== undefined ? 'stopped' : 'finished';
    this.phase = 'idle';
    this.publish();
    return 'finished';
  }

  /** `cascade resume`'s restore, and the pool on a campaign's first run. */
  async prepare(): Promise<void> {
    const { campaignId, config } = this;
    // a new run carrying the state on (continue-as-new) keeps counting; a launch or a resume starts afresh
    this.showDetails();
    await this.accountPlatform(this.input.state === undefined);
    if (this.input.resume && !this.input.state) {
      Object.assign(
        this.state,
        withCurrentBest(await this.activities.restoreCampaign({ campaignId, config })),
      );
      this.limits = extendLimits(this.state, this.input.resume, config);
    }
    if (this.state.poolSize === 0) {
      const pool = await this.activities.preparePool({ campaignId, config }, poolSummary(config));
      if (pool.kept === 0) {
        throw ApplicationFailure.nonRetryable(
          `no candidates left in ${poolSource(config)} after filtering (read ${pool.read}; rejected: ${JSON.stringify(pool.rejected)})`,
          'EmptyPool',
        );
      }
      this.state.poolSize = pool.kept;
      if (pool.usage) this.charge(pool);
    }
    this.status = 'running';
    this.publish();
    if (config.tiers.length === 0) {
      throw ApplicationFailure.nonRetryable('a campaign needs at least one tier', 'InvalidConfig');
    }
  }

  /** One round: train, acquire, evaluate up the ladder, record. Returns why the campaign must end, if it must. */
  async runRound(): Promise<string | undefined> {
    const { campaignId, config, state } = this;
    const round = state.round;

    // surrogate.policy (lib/campaign/choosing.ts), on campaigns that started with it (a patch)
    const policy = this.hooks.choosingPolicy?.() ? (state.choosing ?? freshChoosing()) : undefined;
    const trains = !policy || trainsThisRound(policy, round);
    const surrogate = policy?.kind
      ? { ...config.surrogate, kind: policy.kind as typeof config.surrogate.kind }
      : config.surrogate;
    this.training = trains ? surrogate.kind : undefined;
    this.setPhase('training');
    const [trained] = await Promise.all([
      trains
        ? this.activities.trainSurrogate(
            { campaignId, round, seed: config.seed + round, config: { surrogate, tiers: config.tiers } },
            trainingSummary(round, surrogate.kind, config.tiers.map(tierName), state.calls),
          )
        : Promise.resolve(undefined),
      this.accountPlatform(false), // the previous round's platform CPU, beside the training
    ]);
    // nothing to learn yet: no model, but the look cost CPU (older histories: undefined)
    const model = trained && 'id' in trained ? trained : undefined;
    if (trained && !model) this.charge(trained);
    if (model) {
      state.lastModel = {
        id: model.id,
        backend: model.backend,
        trainedOn: model.trainedOn,
        labelTier: model.labelTier,
        fidelity: model.fidelity,
        ...(model.baseTier !== undefined ? { baseTier: model.baseTier } : {}),
        metrics: model.metrics,
      };
      this.charge(model);
    }
    // a round that does not retrain acquires from the last model's predictions; exhaustive: the rest, at random
    const chooser = policy?.exhaustive
      ? undefined
      : (model?.id ?? (trains ? undefined : state.lastModel?.id));
    const firstTier = tierName(config.tiers[0] as CampaignConfig['tiers'][number]);
    const remaining = Math.max(0, state.poolSize - (state.calls[firstTier] ?? 0));

    this.setPhase('acquiring');
    // before a surrogate exists, a random initial batch gives it something to learn from
    const size = Math.min(
      this.callsLeft(0),
      policy?.exhaustive
        ? Math.min(remaining, EXHAUSTIVE_BATCHES * config.acquisition.batchSize)
        : chooser
          ? config.acquisition.batchSize
          : (config.acquisition.initialBatch ?? 2 * config.acquisition.batchSize),
    );
    const how = policy?.exhaustive ? 'exhaustive' : chooser ? 'model' : 'random';
    const acquired = await this.activities.acquireBatch(
      {
        campaignId,
        round,
        modelId: chooser,
        size,
        seed: config.seed + round,
        acquisition: config.acquisition,
        objective: config.objective,
      },
      acquisitionSummary(round, size, config.acquisition.strategy, how),
    );
    const indices = Array.isArray(acquired) ? acquired : acquired.indices;
    if (!Array.isArray(acquired)) this.charge(acquired);
    if (indices.length === 0) return 'every candidate in the pool has been evaluated';

    this.roundSpend = { computed: {}, cached: {} };
    this.lastTier = [];
    const roundBest = await this.climb(indices);
    if (policy) {
      state.choosing = afterRound(
        policy,
        {
          round,
          choosingJoules: model ? spent(model).energyJoules : 0,
          ...this.roundSpend,
          firstTier,
          remaining: Math.max(0, state.poolSize - (state.calls[firstTier] ?? 0)),
          trained: model !== undefined,
        },
        config.surrogate.kind,
        config.surrogate.policy !== 'always',
      );
    }
    const value = roundBest && valueOf(config.objective, roundBest);
    let improved = false;
    // `succeeds` reads the total energy only to know a calculation reported one: no best among molecules
    if (
      roundBest &&
      value !== undefined &&
      !config.objective.succeeds &&
      isImprovement(config, state.best?.value, value)
    ) {
      state.best = {
        idx: roundBest.idx,
        label: roundBest.label,
        identity: roundBest.identity ?? roundBest.smiles ?? '',
        value,
      };
      improved = true;
    }
    if (isMultiObjective(config)) {
      // several objectives: the front's hypervolume says whether the round found something better
      const before = state.front?.hypervolume ?? 0;
      state.front = nextFront(config, state.front, this.lastTier);
      improved = state.front.hypervolume > before;
    }
    if (isClassObjective(config.objective)) {
      // a class objective: the round improved when it found new hits (feasible ones, as the best must be)
      const found = hitsAmong(config.objective, this.lastTier, (r) => feasible(config, r.values));
      state.hits = (state.hits ?? 0) + found;
      improved = hitsImprove(config, found);
    }
    if (improved) state.roundsWithoutImprovement = 0;
    else state.roundsWithoutImprovement++;
    state.round++;
    this.roundsThisRun++;
    this.phase = 'idle';
    this.publish();
    return undefined;
  }

  /** The ladder: every acquired candidate starts at tier 0; promotion rules pick who climbs. */
  private async climb(indices: number[]): Promise<Evaluated | undefined> {
    const { config, state } = this;
    let climbing = indices;
    // labels and identities as the tiers report them, so the next tier's summaries can name the candidates
    const known = new Map<number, KnownCandidate>();
    for (let t = 0; t < config.tiers.length && climbing.length > 0; t++) {
      const name = tierName(config.tiers[t] as CampaignConfig['tiers'][number]);
      climbing = climbing.slice(0, this.callsLeft(t));
      Object.assign(this.batch, { tier: name, size: climbing.length, done: 0, failed: 0 });
      this.setPhase('evaluating');
      const results = await this.evaluate(climbing, t, known);
      for (const r of results) {
        known.set(r.idx, { label: r.label, identity: r.identity ?? r.smiles });
        this.charge(r);
        if (r.cached) this.roundSpend.cached[name] = (this.roundSpend.cached[name] ?? 0) + 1;
        else {
          const had = this.roundSpend.computed[name] ?? { joules: 0, count: 0 };
          this.roundSpend.computed[name] = {
            joules: had.joules + spent(r).energyJoules,
            count: had.count + 1,
          };
        }
        state.calls[name] = (state.calls[name] ?? 0) + 1;
        if (r.status !== 'ok') state.failures++;
      }
      if (t === config.tiers.length - 1) {
        this.lastTier = results;
        // a result that breaks a constraint is never the best (campaigns without constraints: every result)
        return pickBest(
          config.objective,
          results.filter((r) => r.status === 'ok' && feasible(config, r.values)),
          (r) => valueOf(config.objective, r),
        );
      }
      climbing = promote(results, config.tiers[t + 1]?.promote, config.objective);
    }
    return undefined;
  }

  /** A tier's candidates, in batches of activities (or one activity each, replaying older histories). */
  private async evaluate(
    idxs: number[],
    tier: number,
    known: ReadonlyMap<number, KnownCandidate>,
  ): Promise<Evaluated[]> {
    const { campaignId, config } = this;
    const round = this.state.round;
    // what the activity needs of the config travels with it (the store's copy is a record of the launch)
    const ladder: Ladder = {
      tier: config.tiers[tier] as CampaignConfig['tiers'][number],
      ...(tier > 0 ? { previous: config.tiers[tier - 1] } : {}),
      property: config.objective.property,
    };
    const counted = (rs: Evaluated[]) => {
      this.batch.done += rs.length;
      this.batch.failed += rs.filter((r) => r.status !== 'ok').length;
      this.showDetails();
      return rs;
    };
    const summary = (part: number[]) => evaluationSummary(round, ladder.tier, part, known);
    if (this.hooks.qmBatches()) {
      const parts = await Promise.all(
        batches(idxs).map(async (part) =>
          counted(
            await this.activities.evaluateBatch(
              { campaignId, idxs: part, round, tier, ladder },
              summary(part),
            ),
          ),
        ),
      );
      return parts.flat();
    }
    return Promise.all(
      idxs.map(async (idx) => {
        const r = await this.activities.evaluateCandidate(
          { campaignId, idx, round, tier, ladder },
          summary([idx]),
        );
        return counted([r])[0] as Evaluated;
      }),
    );
  }

  /** Calls tier `t` may still make this run (unlimited when the tier has no limit). */
  private callsLeft(t: number): number {
    const name = tierName(this.config.tiers[t] as CampaignConfig['tiers'][number]);
    const limit = this.limits.calls[name];
    return limit === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, limit - (this.state.calls[name] ?? 0));
  }

  /** The platform's lines in the ledger, on campaigns that started with them (a patch), charged to the totals. */
  private async accountPlatform(start: boolean): Promise<void> {
    if (!this.activities.accountPlatform || !this.hooks.platformLedger?.()) return;
    const { usage } = await this.activities.accountPlatform({
      campaignId: this.campaignId,
      round: this.state.round,
      ...(start ? { start } : {}),
    });
    if (usage) this.charge({ usage });
  }

  /** Adds what a result or a model used to the campaign's totals (old histories carry the bare numbers). */
  private charge(used: Parameters<typeof spent>[0]): void {
    const { cpuSeconds, energyJoules } = spent(used);
    this.state.cpuSeconds += cpuSeconds;
    this.state.energyJoules += energyJoules;
  }

  private async holdWhilePaused(): Promise<void> {
    if (!this.paused || this.stopRequested) return;
    this.status = 'paused';
    this.phase = 'idle';
    this.publish();
    await this.hooks.condition(() => !this.paused || this.stopRequested !== undefined);
    this.status = 'running';
  }

  private timeForNewRun(): boolean {
    return (
      !this.stopRequested &&
      !this.paused &&
      (this.hooks.continueAsNewSuggested() ||
        this.roundsThisRun >= (this.input.roundsPerRun ?? DEFAULT_ROUNDS_PER_RUN)) &&
      !stopReason(this.config, this.limits, this.state)
    );
  }

  /** The search attributes that make the campaign findable and sortable in the Web UI. */
  private publish(): void {
    const s = this.state;
    this.hooks.publish([
      { key: attrs.CAMPAIGN, value: this.config.name },
      { key: attrs.STATUS, value: this.status },
      { key: attrs.ROUND, value: s.round },
      { key: attrs.EVALUATIONS, value: Object.values(s.calls).reduce((a, b) => a + b, 0) },
      { key: attrs.CPU_HOURS, value: s.cpuSeconds / 3600 },
      { key: attrs.ENERGY_KWH, value: s.energyJoules / 3.6e6 },
      // several objectives: the front's hypervolume (lib/temporal/search-attributes.ts says why one key)
      ...(s.front
        ? [{ key: attrs.BEST_VALUE, value: s.front.hypervolume }]
        : s.hits !== undefined
          ? [{ key: attrs.BEST_VALUE, value: s.hits }]
          : s.best
            ? [{ key: attrs.BEST_VALUE, value: s.best.value }]
            : []),
    ]);
    this.showDetails();
  }

  /** A phase change, shown in the Web UI at once. */
  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.showDetails();
  }

  /** The Web UI's current details (no command: as often as they change). */
  private showDetails(): void {
    this.hooks.details?.(this.details());
  }

  /** The Web UI's table: what the campaign is doing, or how it ended and why. */
  private details(): string {
    const p = this.progress();
    return campaignDetails({
      ...p,
      tiers: this.config.tiers.map(tierName),
      objective: this.config.objective,
      carbonIntensity: campaignCarbonIntensity(this.config),
      ...(p.phase === 'training' && this.training ? { surrogate: this.training } : {}),
      ...(p.stopReason !== undefined ? { reason: p.stopReason } : {}),
    });
  }
}

/** A state whose best may have been recorded with `smiles` (before `identity`), in today's form. */
function withCurrentBest(s: CampaignState): CampaignState {
  const best = s.best as Best | RecordedBest | undefined;
  return best ? { ...s, best: currentBest(best) } : s;
}
