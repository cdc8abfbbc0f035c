/**
 * The results store: the source of truth for everything a campaign paid for. An async interface, so that the
 * embedded SQLite file and a database server are the same to its users; activities get it injected
 * (activities/index.ts), the CLI opens it at its entry point (store/open.ts), and every SQL statement lives
 * behind it (store/sqlite/).
 */
import type { CampaignConfig } from '../lib/campaign/schema.js';
import type { Candidate } from '../lib/domain/candidate.js';
import type { ObjectiveSpec, PropertyValues } from '../lib/domain/objective.js';
import type { Usage } from '../lib/domain/usage.js';
import type { ModelDescription, ModelMetrics } from '../lib/surrogate/model.js';

export interface PoolSummary {
  source: string;
  read: number;
  kept: number;
  /** Candidates dropped, by reason ("unparseable", "too large", "charged", ...). */
  rejected: Record<string, number>;
  /** The first few rejections of each reason, in file order (absent in pools prepared before it was kept). */
  rejections?: Record<string, PoolRejection[]>;
}

/** One rejected candidate: where it is in the file, its label, and what was wrong (short; never the whole line). */
export interface PoolRejection {
  line: number;
  label: string;
  why: string;
}

export interface CampaignRecord {
  id: string;
  name: string;
  /** The config of the latest launch or resume: a record of what ran (the workflow carries its own copy). */
  config: CampaignConfig;
  configFile?: string;
  pool?: PoolSummary;
}

export interface EvaluationRecord {
  idx: number;
  tier: string;
  round: number;
  resultKey?: string;
  status: 'ok' | 'failed';
  /** The campaign objective's value at this tier. */
  value?: number;
  /** Every property the tier reported. */
  values?: PropertyValues;
  message?: string;
  cached: boolean;
  cpuSeconds: number;
  wallSeconds: number;
}

export interface ModelRecord {
  id: string;
  campaignId: string;
  round: number;
  kind: string;
  backend: string;
  description: ModelDescription;
  metrics: ModelMetrics;
}

export interface Prediction {
  idx: number;
  mean: number;
  std: number;
}

/** A model's predictions as columns aligned by row, pool indices ascending (how the store keeps them). */
export interface PredictionColumns {
  indices: Int32Array;
  mean: Float32Array;
  std: Float32Array;
}

/** A model's joint draws of the pool's values: one array per ensemble member, aligned with `indices`. */
export interface PredictionSamples {
  indices: Int32Array;
  members: Float32Array[];
}

export interface QmResultRecord {
  key: string;
  code: string;
  codeVersion: string;
  method: string;
  settings: Record<string, unknown>;
  geometryHash: string;
  status: 'ok' | 'failed';
  outputs?: Record<string, unknown>;
  failure?: QmFailure;
  provenance: Record<string, unknown>;
}

/**
 * Why a calculation failed. `class` says whether the same inputs will fail again (`deterministic`: the input was
 * invalid, the code's own error) or the circumstances decided (`circumstantial`: a time limit, a signal, a worker
 * that died under it), and `limits` what it ran under: a circumstantial failure is computed again when asked
 * with larger limits. Failures stored before these were recorded have neither.
 */
export interface QmFailure {
  kind: string;
  message: string;
  retryable: boolean;
  class?: 'deterministic' | 'circumstantial';
  limits?: QmLimits;
  /** For a calculation that killed its workers: the executions that were running when they died. */
  lostExecutions?: number[];
}

/** What a calculation was allowed: its wall-clock limit and its threads. */
export interface QmLimits {
  timeoutSeconds: number;
  threads: number;
}

/**
 * One real run of a code (so tests and benches can prove nothing ran twice, and see where slots idled). `pid` is
 * the process that ran it (the worker); `status` is 'running' until it ends, the failure kind or 'ok' then, and
 * 'worker-died' for a run whose process was found gone while the run was still 'running'.
 */
export interface Execution {
  id: number;
  key: string;
  code: string;
  host: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  status: string;
}

/** One ledger entry: what an activity used. `campaignId` is absent for work outside a campaign (`qm run`, `cbs generate`). */
export interface LedgerEntry {
  campaignId?: string;
  round?: number;
  activity: string;
  usage: Usage;
  /** The candidate (pool index) and tier of one candidate's work: its geometry, its calculation. */
  idx?: number;
  tier?: string;
}

export interface LedgerTotals {
  activity: string;
  calls: number;
  wallSeconds: number;
  cpuSeconds: number;
  energyJoules: number;
  /** How the energy of these entries was obtained (a method each: measured or modelled). */
  energyMethods: string[];
  /** The hardware they ran on, where recorded. */
  hardware?: string[];
}

/** What a basis escalation ladder did: bases run and skipped, the energy it settled on, its CPU against the largest basis. */
export interface LadderRecord {
  campaignId: string;
  round: number;
  idx: number;
  tier: string;
  basesRun: string[];
  basesSkipped: string[];
  cpuSeconds: number;
  /** Measured when the largest basis ran, else estimated from the data set's cost ratios. */
  largestBasisCpuSeconds: number;
  energy: number;
  lo: number;
  hi: number;
  source: 'computed' | 'predicted';
}

export interface LadderSavings {
  molecules: number;
  /** Ladders that stopped before their largest basis. */
  stoppedEarly: number;
  cpuSeconds: number;
  largestBasisCpuSeconds: number;
  savedCpuSeconds: number;
}

/** What the candidates computed at one tier cost, one entry each (cache hits left out: they ran nothing). */
export interface TierCostRecord {
  tier: string;
  /** Candidates evaluated at the tier: computed, cache hits and failures alike. */
  calls: number;
  costs: Array<{ idx: number; cpuSeconds: number; energyJoules: number }>;
  /** Whether the costs include the geometry made for each candidate (ledger lines that name their candidate). */
  withGeometry: boolean;
}

/** A top candidate at one tier, with its identity. */
export interface RankedEvaluation {
  idx: number;
  label: string;
  identity: string;
  kind: Candidate['kind'];
  value: number;
}

/** An evaluation with the time it was stored (`cascade report`'s timeline). */
export interface TimedEvaluation {
  idx: number;
  tier: string;
  round: number;
  status: 'ok' | 'failed';
  value?: number;
  values?: PropertyValues;
  cached: boolean;
  /** ISO 8601. */
  at: string;
}

/** One ledger line's cost and when it was written. */
export interface TimedCost {
  at: string;
  cpuSeconds: number;
  energyJoules: number;
}

/** The ledger's cost of one activity for one tier (no tier: work for no tier in particular). */
export interface ActivityTierCost {
  activity: string;
  tier?: string;
  cpuSeconds: number;
  energyJoules: number;
}

/** A code and version that computed results of a campaign at one tier. */
export interface CodeVersion {
  tier: string;
  code: string;
  version: string;
  method: string;
  results: number;
}

/**
 * An evaluation with what produced it, for `cascade export`: the QM result's code, version, method, settings and
 * input hash, the failure's class, where it ran, and what its work cost.
 */
export interface EvaluationProvenance extends EvaluationRecord {
  /** When the evaluation was stored (ISO 8601). */
  at: string;
  code?: string;
  codeVersion?: string;
  method?: string;
  settings?: Record<string, unknown>;
  /** The calculation's input hash (its structure's hash; the result key hashes it with the code and settings). */
  geometryHash?: string;
  failure?: QmFailure;
  /** The host of the execution that computed the result (a cache hit: the one that computed it first). */
  host?: string;
  /** CPU seconds of the candidate's work at this tier: its ledger lines (calculation and geometry), else the evaluation's. */
  workCpuSeconds: number;
  /** Joules of that work; absent when the campaign's ledger has no energy figure at all. */
  energyJoules?: number;
  /** `ledger`: lines that name the candidate; `tier-rate`: CPU × the tier's joules per CPU-second. */
  energySource: 'ledger' | 'tier-rate' | 'none';
  /** How the energy was obtained (the ledger lines' methods). */
  energyMethods: string[];
}

export interface Store {
  /** Where it lives, for messages (a file path or a server URL without credentials). */
  readonly location: string;

  // campaigns
  saveCampaign(id: string, config: CampaignConfig, configFile?: string): Promise<void>;
  getCampaign(id: string): Promise<CampaignRecord | undefined>;
  setPoolSummary(id: string, pool: PoolSummary): Promise<void>;
  /** Forgets a campaign that never ran (its row only): `launch` calls it when the workflow start fails. */
  deleteCampaign(id: string): Promise<void>;
  /** Forgets a campaign's candidates' evaluations, models and ledger (a fresh start); QM results, geometries and features stay cached. */
  resetCampaign(id: string): Promise<void>;

  // the pool
  /** Replaces the campaign's pool. */
  putCandidates(campaignId: string, candidates: readonly Candidate[]): Promise<void>;
  /** Adds to the campaign's pool (a large pool is stored a batch at a time); a candidate's index already there is replaced. */
  appendCandidates(campaignId: string, candidates: readonly Candidate[]): Promise<void>;
  countCandidates(campaignId: string): Promise<number>;
  listCandidates(campaignId: string): Promise<Candidate[]>;
  /** The candidates at these pool indices, in that order; throws for an index the pool does not have. */
  getCandidates(campaignId: string, indices: readonly number[]): Promise<Candidate[]>;

  // caches keyed by content
  /** Feature rows by key; absent keys are absent from the map. */
  getFeatures(keys: readonly string[]): Promise<Map<string, Float32Array>>;
  putFeatures(rows: ReadonlyArray<{ key: string; features: Float32Array }>): Promise<void>;
  /** A stored 3D structure per candidate identity and generator (embedding is stochastic: the first writer wins). */
  getGeometry(identity: string, generator: string): Promise<string | undefined>;
  putGeometry(identity: string, generator: string, geometryJson: string): Promise<void>;

  // QM results
  getQmResult(key: string): Promise<QmResultRecord | undefined>;
  /** Starts an execution of `key` without a claim (tests and benches; calculations claim: claimExecution). */
  startExecution(key: string, code: string, host: string): Promise<number>;
  /**
   * Starts an execution of `key` unless a live claim holds it (another worker, on this host or another, is
   * computing it): the execution's id, else undefined. The claim lasts `leaseSeconds` (default 60) unless renewed,
   * ends with the execution (finished or marked lost), and once its lease ran out the next claimant takes it and
   * marks the execution that held it 'worker-died'.
   */
  claimExecution(key: string, code: string, host: string, leaseSeconds?: number): Promise<number | undefined>;
  /** Extends the claim of a running execution; false when it holds none any more (another worker took it over). */
  renewClaim(execution: number, leaseSeconds?: number): Promise<boolean>;
  /** Who is computing `key` now, and until when their lease runs (ISO 8601); undefined when no live claim. */
  liveClaim(key: string): Promise<{ execution: number; leaseUntil: string } | undefined>;
  /** Ends an execution and, when it produced one, stores its result: one write. */
  finishExecution(id: number, status: string, result?: QmResultRecord): Promise<void>;
  listExecutions(filter?: { key?: string; code?: string }): Promise<Execution[]>;
  /** Marks executions still 'running' whose process is gone as 'worker-died'; the others are left as they are. */
  markExecutionsLost(ids: readonly number[]): Promise<void>;
  /** Stores a result that no execution produced (a calculation refused after it killed its workers). */
  putQmResult(result: QmResultRecord): Promise<void>;

  // evaluations
  /** Stores an evaluation and, for work that ran now, its ledger entry, in one write; returns the entry's joules. */
  putEvaluation(campaignId: string, e: EvaluationRecord, ledger?: LedgerEntry | LedgerEntry[]): Promise<void>;
  getEvaluation(campaignId: string, idx: number, tier: string): Promise<EvaluationRecord | undefined>;
  listEvaluations(campaignId: string, tier?: string): Promise<EvaluationRecord[]>;
  /** The best `n` evaluated candidates at one tier by the objective. */
  topEvaluations(
    campaignId: string,
    tier: string,
    objective: Pick<ObjectiveSpec, 'direction'>,
    n: number,
  ): Promise<RankedEvaluation[]>;

  // surrogate models
  putModel(m: ModelRecord, weights: Uint8Array): Promise<void>;
  /** The latest model of the (first) objective; with `property`, the latest one trained for that property. */
  latestModel(campaignId: string, property?: string): Promise<ModelRecord | undefined>;
  getModelWeights(id: string): Promise<Uint8Array | undefined>;
  /**
   * Predictions of one model over the pool (one row of blobs per model, replaced by a second call); older models'
   * predictions are dropped (their weights stay), except those of candidates already evaluated, so each model can
   * still be checked against the batch it chose. Of two predictions of one index the later wins.
   */
  putPredictions(
    campaignId: string,
    modelId: string,
    mean: Float32Array,
    std: Float32Array,
    indices: ArrayLike<number>,
  ): Promise<void>;
  /** A model's predictions, pool index ascending; empty when it has none. */
  getPredictions(modelId: string): Promise<Prediction[]>;
  /** The same as typed columns (what a screen of a large pool reads); undefined when it has none. */
  getPredictionColumns(modelId: string): Promise<PredictionColumns | undefined>;
  /** Each ensemble member's predictions of the pool (Thompson sampling); older models' are dropped. */
  putPredictionSamples(
    campaignId: string,
    modelId: string,
    members: readonly Float32Array[],
    indices: readonly number[],
  ): Promise<void>;
  getPredictionSamples(modelId: string): Promise<PredictionSamples | undefined>;
  /** Every model of a campaign, oldest first (without weights). */
  listModels(campaignId: string): Promise<ModelRecord[]>;
  /** A model's predictions for the candidates with no evaluation at `tier` (what brute force would still compute). */
  unevaluatedPredictions(campaignId: string, modelId: string, tier: string): Promise<Prediction[]>;

  // resources
  record(entry: LedgerEntry): Promise<void>;
  /** What one candidate's work at a tier in a round used, from the ledger lines that name it (its geometry, its calculation). */
  candidateUsage(
    campaignId: string,
    where: { round: number; idx: number; tier: string },
  ): Promise<LedgerTotals | undefined>;
  ledgerTotals(campaignId: string): Promise<LedgerTotals[]>;
  /** Everything a campaign has used, over all activities. */
  campaignTotals(campaignId: string): Promise<{ cpuSeconds: number; energyJoules: number }>;
  recordLadder(r: LadderRecord): Promise<void>;
  ladderSavings(campaignId: string): Promise<LadderSavings | undefined>;
  /** Per tier with evaluations, what each candidate computed there cost: its calculation and its geometry. */
  tierCosts(campaignId: string): Promise<TierCostRecord[]>;

  // the report's reads
  /** The campaign's evaluations in the order they were stored. */
  evaluationTimeline(campaignId: string): Promise<TimedEvaluation[]>;
  /** The campaign's ledger lines' costs in the order they were written. */
  costTimeline(campaignId: string): Promise<TimedCost[]>;
  /** Every basis ladder the campaign ran. */
  listLadders(campaignId: string): Promise<LadderRecord[]>;
  /** The codes, versions and methods that computed the campaign's results, per tier. */
  codeVersions(campaignId: string): Promise<CodeVersion[]>;
  /** The ledger summed by activity and the tier each line's work was for. */
  ledgerByTier(campaignId: string): Promise<ActivityTierCost[]>;

  // the export's read
  /** Every evaluation of a campaign with its provenance and cost, by candidate then tier. */
  exportEvaluations(campaignId: string): Promise<EvaluationProvenance[]>;

  close(): Promise<void>;
}
