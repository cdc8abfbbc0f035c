/**
 * evaluateBatch: candidates of one round at one tier of the ladder, run side by side as the worker's calculation
 * slots allow, with one summary per candidate (a calculation that failed is a 'failed' summary, not an error).
 * Every QM result is looked up by its content hash first (activities/qm/calculate.ts), and the heartbeats carry
 * the summaries finished so far: a retried batch (a worker was killed) repeats no calculation that finished and
 * reports the ones it finished as they were. Worker deaths are retried without limit, errors a few times
 * (./repeated-errors.ts), and a candidate that kills its workers is a failed summary (activities/qm/calculate.ts).
 * evaluateCandidate is the same for one candidate, for campaigns that started before batches (workflows/campaign.ts).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { EvaluationSummary } from '../../lib/campaign/results.js';
import { type CampaignConfig, Property, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { type Candidate, identity } from '../../lib/domain/candidate.js';
import type { QmSystem } from '../../lib/domain/geometry.js';
import type { PropertyValues } from '../../lib/domain/objective.js';
import { NO_USAGE, sumUsage, type Usage } from '../../lib/domain/usage.js';
import type { LedgerEntry, Store } from '../../store/store.js';
import type { Progress } from '../qm/runner.js';
import { usageOf } from '../usage.js';
import { errorsSoFar, rethrowCounted } from './repeated-errors.js';
import { runTier, tierWorkerDeaths } from './run-tier.js';
import { inCalculationSlot } from './slots.js';
import { structureFor } from './structures.js';

export interface EvaluateBatchArgs {
  campaignId: string;
  /** Candidates, by index in the campaign's pool; the summaries come back in this order. */
  idxs: number[];
  round: number;
  /** Index into the campaign's tiers (default 0). */
  tier?: number;
  /**
   * What it needs of the campaign's config: the tier, the one below it (whose optimised geometry this one
   * starts from) and the objective's property. Campaigns started before it was passed read the stored config.
   */
  ladder?: { tier: TierConfig; previous?: TierConfig; property: string };
}

export interface EvaluateArgs extends Omit<EvaluateBatchArgs, 'idxs'> {
  idx: number;
}

/**
 * What a batch's heartbeats carry: the summaries so far, where the running calculations are, and the errors
 * earlier attempts threw (./repeated-errors.ts).
 */
interface BatchHeartbeat {
  round: number;
  tier: number;
  done: EvaluationSummary[];
  running: Array<{ idx: number } & Progress>;
  errors: number;
}

export async function evaluateBatch(store: Store, args: EvaluateBatchArgs): Promise<EvaluationSummary[]> {
  const ctx = Context.current();
  const t = args.tier ?? 0;
  const earlier = sameBatch(ctx.info.heartbeatDetails, args.round, t);
  const done = new Map((earlier?.done ?? []).map((s) => [s.idx, s]));
  const running = new Map<number, { idx: number } & Progress>();
  let errors = earlier?.errors ?? 0;
  const beat = () =>
    ctx.heartbeat({
      round: args.round,
      tier: t,
      done: [...done.values()],
      running: [...running.values()],
      errors,
    } satisfies BatchHeartbeat);
  // a heartbeat for the whole activity, not only while a code runs: 3D embedding and waiting for a slot too
  const timer = setInterval(beat, Math.max(1000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  try {
    return await evaluateAll(store, args, done, running);
  } catch (e) {
    rethrowCounted(e, errors, (n) => {
      errors = n;
      beat();
    });
  } finally {
    clearInterval(timer);
  }
}

async function evaluateAll(
  store: Store,
  args: EvaluateBatchArgs,
  done: Map<number, EvaluationSummary>,
  running: Map<number, { idx: number } & Progress>,
): Promise<EvaluationSummary[]> {
  const batch = await loadBatch(store, args, Context.current().cancellationSignal);
  // finished by an earlier attempt after its last heartbeat (the worker died): the store has them, with their
  // CPU time, which a rerun would report as a cache hit that cost nothing (the ledger already holds the entry)
  for (const cand of batch.candidates) {
    if (done.has(cand.idx)) continue;
    const stored = await finishedInStore(batch, cand, args.round);
    if (stored) done.set(cand.idx, stored);
  }
  const settled = await Promise.allSettled(
    batch.candidates.map(async (cand) => {
      const earlier = done.get(cand.idx);
      if (earlier) return earlier;
      let summary: EvaluationSummary;
      try {
        summary = await evaluateOne(batch, cand, args.round, (p) =>
          running.set(cand.idx, { idx: cand.idx, ...p }),
        );
      } finally {
        running.delete(cand.idx);
      }
      done.set(cand.idx, summary);
      return summary;
    }),
  );
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length > 0) {
    throw errors.find((e) => e instanceof ApplicationFailure && e.nonRetryable) ?? errors[0];
  }
  return settled.map((s) => (s as PromiseFulfilledResult<EvaluationSummary>).value);
}

export async function evaluateCandidate(store: Store, args: EvaluateArgs): Promise<EvaluationSummary> {
  const { idx, ...rest } = args;
  const [summary] = await evaluateBatch(store, { ...rest, idxs: [idx] });
  return summary as EvaluationSummary;
}

/** A previous attempt's last heartbeat, when it was of this batch: the summaries it finished, its errors. */
function sameBatch(
  details: unknown,
  round: number,
  tier: number,
): Pick<BatchHeartbeat, 'done' | 'errors'> | undefined {
  const d = details as Partial<BatchHeartbeat> | undefined;
  if (d?.round !== round || d.tier !== tier) return undefined;
  return { done: Array.isArray(d.done) ? d.done : [], errors: errorsSoFar(d) };
}

interface Batch {
  store: Store;
  campaignId: string;
  /** Index of the tier in the ladder, the tier, and the one below it (whose geometry a higher tier starts from). */
  t: number;
  tier: TierConfig;
  previous?: TierConfig;
  /** The objective's property: a tier that does not report it fails the candidate. */
  property: string;
  candidates: Candidate[];
  /** The activity's cancellation: kills its calculations. */
  signal: AbortSignal;
}

async function loadBatch(store: Store, args: EvaluateBatchArgs, signal: AbortSignal): Promise<Batch> {
  const t = args.tier ?? 0;
  const ladder = args.ladder ?? fromConfig(await storedConfig(store, args.campaignId), args.campaignId, t);
  let candidates: Candidate[];
  try {
    candidates = await store.getCandidates(args.campaignId, args.idxs);
  } catch (e) {
    throw ApplicationFailure.nonRetryable((e as Error).message, 'UnknownCandidate');
  }
  return { store, campaignId: args.campaignId, t, ...ladder, candidates, signal };
}

async function storedConfig(store: Store, campaignId: string): Promise<CampaignConfig> {
  const campaign = await store.getCampaign(campaignId);
  if (!campaign) throw ApplicationFailure.nonRetryable(`unknown campaign ${campaignId}`, 'UnknownCampaign');
  return campaign.config;
}

function fromConfig(
  config: CampaignConfig,
  campaignId: string,
  t: number,
): NonNullable<EvaluateBatchArgs['ladder']> {
  const tier = config.tiers[t];
  if (!tier) throw ApplicationFailure.nonRetryable(`campaign ${campaignId} has no tier #${t}`, 'UnknownTier');
  return { tier, previous: config.tiers[t - 1], property: config.objective.property };
}

/**
 * One candidate, in a calculation slot: its structure first, then its calculation, alone on this worker when a
 * worker died under it before (the next death is then its own, not a neighbour's: after MAX_WORKER_DEATHS it is a
 * failed evaluation, activities/qm/calculate.ts).
 */
async function evaluateOne(
  batch: Batch,
  cand: Candidate,
  round: number,
  onProgress: (p: Progress) => void,
): Promise<EvaluationSummary> {
  const made: Usage[] = [];
  const ready = await inCalculationSlot(() => structureOf(batch, cand, round, made));
  if ('failed' in ready) return withStructure(ready.failed, made);
  const alone = (await tierWorkerDeaths(batch.store, batch.tier, ready.system)) > 0;
  const summary = await inCalculationSlot(
    () => calculateOne(batch, cand, round, ready.system, onProgress, made),
    { alone },
  );
  return withStructure(summary, made);
}

/** A summary that also carries what making its structure used (in the ledger as `geometry` lines). */
function withStructure(summary: EvaluationSummary, made: Usage[]): EvaluationSummary {
  return made.length === 0 ? summary : { ...summary, usage: sumUsage([summary.usage, ...made]) };
}

/**
 * The `geometry` lines of a candidate's structure, written in the same write as its evaluation (as its
 * calculation's line is), so the ledger holds what the workflow counts: an attempt killed mid-calculation leaves
 * neither, and a retry that finds the evaluation stored reads both back (finishedInStore).
 */
function geometryLines(batch: Batch, cand: Candidate, round: number, made: Usage[]): LedgerEntry[] {
  const tier = tierName(batch.tier);
  return made.map((usage) => ({
    campaignId: batch.campaignId,
    round,
    activity: 'geometry',
    usage,
    idx: cand.idx,
    tier,
  }));
}

/** Waited for a slot while the batch was cancelled: nothing is started. */
function unlessCancelled(batch: Batch, cand: Candidate): void {
  if (batch.signal.aborted) {
    throw ApplicationFailure.retryable(`evaluation of #${cand.idx} was cancelled`, 'CalculationKilled');
  }
}

/** The structure the candidate's calculation runs on, or its failed summary when there can be none. */
async function structureOf(
  batch: Batch,
  cand: Candidate,
  round: number,
  /** Receives what making the structure used, when it was made now (evaluateOne writes it to the ledger). */
  made: Usage[],
): Promise<{ system: QmSystem } | { failed: EvaluationSummary }> {
  unlessCancelled(batch, cand);
  const { store, campaignId, tier } = batch;
  const name = tierName(tier);
  try {
    const system = await structureFor(
      store,
      cand,
      batch.previous && { campaignId, tier: tierName(batch.previous) },
      (usage) => made.push(usage),
    );
    return { system };
  } catch (e) {
    const message = `3D embedding failed: ${(e as Error).message}`;
    await store.putEvaluation(
      campaignId,
      {
        idx: cand.idx,
        tier: name,
        round,
        status: 'failed',
        message,
        cached: false,
        cpuSeconds: 0,
        wallSeconds: 0,
      },
      geometryLines(batch, cand, round, made),
    );
    return { failed: summaryOf(batch, cand, { cached: false, usage: { ...NO_USAGE } }, undefined, message) };
  }
}

async function calculateOne(
  batch: Batch,
  cand: Candidate,
  round: number,
  system: QmSystem,
  onProgress: (p: Progress) => void,
  /** What making its structure used: written with the evaluation. */
  made: Usage[],
): Promise<EvaluationSummary> {
  unlessCancelled(batch, cand);
  const { store, campaignId, tier } = batch;
  const name = tierName(tier);
  const r = await runTier(
    store,
    tier,
    system,
    {
      campaignId,
      round,
      idx: cand.idx,
      ...(cand.kind === 'crystal' && cand.prototype !== undefined && { prototype: cand.prototype }),
    },
    {
      signal: batch.signal,
      onProgress,
    },
  );
  const values = r.record.outputs ? valuesOf(r.record.outputs) : undefined;
  const usage = r.cached ? { ...NO_USAGE } : r.usage;
  // the evaluation and its ledger entry in one write
  await store.putEvaluation(
    campaignId,
    {
      idx: cand.idx,
      tier: name,
      round,
      resultKey: r.record.key,
      status: r.record.status,
      value: values?.[batch.property],
      ...(values ? { values } : {}),
      message: r.record.failure?.message,
      cached: r.cached,
      cpuSeconds: usage.cpuSeconds,
      wallSeconds: usage.wallSeconds,
    },
    [
      ...(r.cached ? [] : [{ campaignId, round, activity: `qm:${name}`, usage, idx: cand.idx, tier: name }]),
      ...geometryLines(batch, cand, round, made),
    ],
  );
  const failure =
    r.record.status !== 'ok' || !r.record.outputs ? (r.record.failure?.message ?? 'no outputs') : undefined;
  return summaryOf(batch, cand, { cached: r.cached, usage }, values, failure);
}

/** The candidate's evaluation at this tier, when this round already stored one with a result. */
async function finishedInStore(
  batch: Batch,
  cand: Candidate,
  round: number,
): Promise<EvaluationSummary | undefined> {
  const e = await batch.store.getEvaluation(batch.campaignId, cand.idx, tierName(batch.tier));
  if (e?.round !== round || e.resultKey === undefined) return undefined;
  // its calculation's and its geometry's ledger lines, written with it (an older store's lines name no candidate)
  const lines = await batch.store.candidateUsage(batch.campaignId, {
    round,
    idx: cand.idx,
    tier: tierName(batch.tier),
  });
  const usage: Usage = lines
    ? {
        wallSeconds: lines.wallSeconds,
        cpuSeconds: lines.cpuSeconds,
        gpuSeconds: 0,
        energyJoules: lines.energyJoules,
        energyMethod: lines.energyMethods.join(' + ') || 'none',
      }
    : e.cached
      ? { ...NO_USAGE }
      : usageOf({ wallSeconds: e.wallSeconds, cpuSeconds: e.cpuSeconds });
  const values = e.values ?? (e.value === undefined ? undefined : { [batch.property]: e.value });
  return summaryOf(
    batch,
    cand,
    { cached: e.cached, usage },
    values,
    e.status === 'ok' ? undefined : e.message,
  );
}

/** A candidate's summary: failed with the code's message, failed for want of the objective, or its values. */
function summaryOf(
  batch: Batch,
  cand: Candidate,
  cost: { cached: boolean; usage: Usage },
  values: PropertyValues | undefined,
  failure: string | undefined,
): EvaluationSummary {
  const base = { idx: cand.idx, label: cand.label, identity: identity(cand), tier: batch.t, ...cost };
  values = withSaScore(values, cand);
  const lacking = `${tierName(batch.tier)} did not report ${batch.property}`;
  if (failure !== undefined || values?.[batch.property] === undefined) {
    return { ...base, ...(values ? { values } : {}), status: 'failed', message: failure ?? lacking };
  }
  return { ...base, status: 'ok', values };
}

/** A molecule's SA score beside what the tier reported, where the pool computed it (an objective or constraint). */
function withSaScore(values: PropertyValues | undefined, cand: Candidate): PropertyValues | undefined {
  if (!values || cand.kind !== 'molecule' || cand.saScore === undefined) return values;
  return { ...values, saScore: cand.saScore };
}

/** The properties a tier reported, by name (the ones an objective may name). */
function valuesOf(outputs: Record<string, unknown>): PropertyValues {
  const out: Record<string, number> = {};
  for (const p of Property.options) {
    const v = outputs[p];
    if (typeof v === 'number' && Number.isFinite(v)) out[p] = v;
  }
  return out;
}
