/**
 * The server store: one PostgreSQL database that workers on several hosts share. It connects and applies its
 * migrations at open, in the background: every method waits for that, and `ready` says whether it worked (the
 * process entry points await it through connectStore(), so that an unreachable server is reported before
 * anything starts). Claims on calculations are in claims.ts.
 */
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { Candidate } from '../../lib/domain/candidate.js';
import type { ObjectiveSpec } from '../../lib/domain/objective.js';
import type {
  ActivityTierCost,
  CampaignRecord,
  CodeVersion,
  EvaluationProvenance,
  EvaluationRecord,
  Execution,
  LadderRecord,
  LadderSavings,
  LedgerEntry,
  LedgerTotals,
  ModelRecord,
  PoolSummary,
  Prediction,
  PredictionColumns,
  PredictionSamples,
  QmResultRecord,
  RankedEvaluation,
  Store,
  TierCostRecord,
  TimedCost,
  TimedEvaluation,
} from '../store.js';
import * as campaigns from './campaigns.js';
import * as candidates from './candidates.js';
import * as ladders from './cbs-ladders.js';
import * as claims from './claims.js';
import * as counterfactual from './counterfactual.js';
import { connect, type Db, migrate, openPool, redacted } from './db.js';
import * as evaluations from './evaluations.js';
import * as exported from './export.js';
import * as features from './features.js';
import * as ledger from './ledger.js';
import * as models from './models.js';
import * as qm from './qm-results.js';
import * as report from './report.js';

export class PostgresStore implements Store {
  /** The server URL without its password. */
  readonly location: string;
  /** Settles when the server was reached and the schema is current; rejects with what went wrong. */
  readonly ready: Promise<void>;
  private readonly pool: Db;
  private closed = false;

  /** `url`: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?options], as node-postgres reads it. */
  constructor(url: string, opts: { maxConnections?: number } = {}) {
    this.location = redacted(url);
    this.pool = openPool(url, opts.maxConnections);
    this.ready = connect(this.pool, url).then(() =>
      migrate(this.pool).catch((e: Error) => {
        throw new Error(
          `cannot bring the schema of the PostgreSQL store ${this.location} up to date: ${e.message}`,
          {
            cause: e,
          },
        );
      }),
    );
    // awaited by every method; a failure nobody asked about yet must not end the process
    this.ready.catch(() => undefined);
  }

  private async db(): Promise<Db> {
    await this.ready;
    return this.pool;
  }

  async saveCampaign(id: string, config: CampaignConfig, configFile?: string): Promise<void> {
    await campaigns.saveCampaign(await this.db(), id, config, configFile);
  }
  async getCampaign(id: string): Promise<CampaignRecord | undefined> {
    return campaigns.getCampaign(await this.db(), id);
  }
  async setPoolSummary(id: string, pool: PoolSummary): Promise<void> {
    await campaigns.setPoolSummary(await this.db(), id, pool);
  }
  async deleteCampaign(id: string): Promise<void> {
    await campaigns.deleteCampaign(await this.db(), id);
  }
  async resetCampaign(id: string): Promise<void> {
    await campaigns.resetCampaign(await this.db(), id);
  }

  async putCandidates(campaignId: string, list: readonly Candidate[]): Promise<void> {
    await candidates.putCandidates(await this.db(), campaignId, list);
  }
  async appendCandidates(campaignId: string, list: readonly Candidate[]): Promise<void> {
    await candidates.appendCandidates(await this.db(), campaignId, list);
  }
  async countCandidates(campaignId: string): Promise<number> {
    return candidates.countCandidates(await this.db(), campaignId);
  }
  async listCandidates(campaignId: string): Promise<Candidate[]> {
    return candidates.listCandidates(await this.db(), campaignId);
  }
  async getCandidates(campaignId: string, indices: readonly number[]): Promise<Candidate[]> {
    return candidates.getCandidates(await this.db(), campaignId, indices);
  }

  async getFeatures(keys: readonly string[]): Promise<Map<string, Float32Array>> {
    return features.getFeatures(await this.db(), keys);
  }
  async putFeatures(rows: ReadonlyArray<{ key: string; features: Float32Array }>): Promise<void> {
    await features.putFeatures(await this.db(), rows);
  }
  async getGeometry(identity: string, generator: string): Promise<string | undefined> {
    return qm.getGeometry(await this.db(), identity, generator);
  }
  async putGeometry(identity: string, generator: string, geometryJson: string): Promise<void> {
    await qm.putGeometry(await this.db(), identity, generator, geometryJson);
  }

  async getQmResult(key: string): Promise<QmResultRecord | undefined> {
    return qm.getQmResult(await this.db(), key);
  }
  async startExecution(key: string, code: string, host: string): Promise<number> {
    return qm.startExecution(await this.db(), key, code, host);
  }
  async finishExecution(id: number, status: string, result?: QmResultRecord): Promise<void> {
    await qm.finishExecution(await this.db(), id, status, result);
  }
  async listExecutions(filter?: { key?: string; code?: string }): Promise<Execution[]> {
    return qm.listExecutions(await this.db(), filter);
  }
  async markExecutionsLost(ids: readonly number[]): Promise<void> {
    await qm.markExecutionsLost(await this.db(), ids);
  }
  async putQmResult(result: QmResultRecord): Promise<void> {
    await qm.putQmResult(await this.db(), result);
  }

  async claimExecution(
    key: string,
    code: string,
    host: string,
    leaseSeconds?: number,
  ): Promise<number | undefined> {
    return claims.claimExecution(await this.db(), key, code, host, leaseSeconds);
  }
  async renewClaim(execution: number, leaseSeconds?: number): Promise<boolean> {
    return claims.renewClaim(await this.db(), execution, leaseSeconds);
  }
  async liveClaim(key: string): Promise<{ execution: number; leaseUntil: string } | undefined> {
    return claims.liveClaim(await this.db(), key);
  }

  async putEvaluation(
    campaignId: string,
    e: EvaluationRecord,
    entries?: LedgerEntry | LedgerEntry[],
  ): Promise<void> {
    await evaluations.putEvaluation(
      await this.db(),
      campaignId,
      e,
      entries === undefined ? [] : [entries].flat(),
    );
  }
  async getEvaluation(campaignId: string, idx: number, tier: string): Promise<EvaluationRecord | undefined> {
    return evaluations.getEvaluation(await this.db(), campaignId, idx, tier);
  }
  async listEvaluations(campaignId: string, tier?: string): Promise<EvaluationRecord[]> {
    return evaluations.listEvaluations(await this.db(), campaignId, tier);
  }
  async topEvaluations(
    campaignId: string,
    tier: string,
    objective: Pick<ObjectiveSpec, 'direction'>,
    n: number,
  ): Promise<RankedEvaluation[]> {
    return evaluations.topEvaluations(await this.db(), campaignId, tier, objective, n);
  }

  async putModel(m: ModelRecord, weights: Uint8Array): Promise<void> {
    await models.putModel(await this.db(), m, weights);
  }
  async latestModel(campaignId: string, property?: string): Promise<ModelRecord | undefined> {
    return models.latestModel(await this.db(), campaignId, property);
  }
  async getModelWeights(id: string): Promise<Uint8Array | undefined> {
    return models.getModelWeights(await this.db(), id);
  }
  async putPredictions(
    campaignId: string,
    modelId: string,
    mean: Float32Array,
    std: Float32Array,
    indices: ArrayLike<number>,
  ): Promise<void> {
    await models.putPredictions(await this.db(), campaignId, modelId, mean, std, indices);
  }
  async getPredictions(modelId: string): Promise<Prediction[]> {
    return models.getPredictions(await this.db(), modelId);
  }
  async getPredictionColumns(modelId: string): Promise<PredictionColumns | undefined> {
    return models.getPredictionColumns(await this.db(), modelId);
  }
  async putPredictionSamples(
    campaignId: string,
    modelId: string,
    members: readonly Float32Array[],
    indices: readonly number[],
  ): Promise<void> {
    await models.putPredictionSamples(await this.db(), campaignId, modelId, members, indices);
  }
  async getPredictionSamples(modelId: string): Promise<PredictionSamples | undefined> {
    return models.getPredictionSamples(await this.db(), modelId);
  }
  async listModels(campaignId: string): Promise<ModelRecord[]> {
    return report.listModels(await this.db(), campaignId);
  }
  async unevaluatedPredictions(campaignId: string, modelId: string, tier: string): Promise<Prediction[]> {
    return counterfactual.unevaluatedPredictions(await this.db(), campaignId, modelId, tier);
  }

  async record(entry: LedgerEntry): Promise<void> {
    await ledger.record(await this.db(), entry);
  }
  async candidateUsage(
    campaignId: string,
    where: { round: number; idx: number; tier: string },
  ): Promise<LedgerTotals | undefined> {
    return ledger.candidateUsage(await this.db(), campaignId, where);
  }
  async ledgerTotals(campaignId: string): Promise<LedgerTotals[]> {
    return ledger.ledgerTotals(await this.db(), campaignId);
  }
  async campaignTotals(campaignId: string): Promise<{ cpuSeconds: number; energyJoules: number }> {
    return ledger.campaignTotals(await this.db(), campaignId);
  }
  async recordLadder(r: LadderRecord): Promise<void> {
    await ladders.recordLadder(await this.db(), r);
  }
  async ladderSavings(campaignId: string): Promise<LadderSavings | undefined> {
    return ladders.ladderSavings(await this.db(), campaignId);
  }
  async tierCosts(campaignId: string): Promise<TierCostRecord[]> {
    return counterfactual.tierCosts(await this.db(), campaignId);
  }

  async evaluationTimeline(campaignId: string): Promise<TimedEvaluation[]> {
    return report.evaluationTimeline(await this.db(), campaignId);
  }
  async costTimeline(campaignId: string): Promise<TimedCost[]> {
    return report.costTimeline(await this.db(), campaignId);
  }
  async listLadders(campaignId: string): Promise<LadderRecord[]> {
    return report.listLadders(await this.db(), campaignId);
  }
  async codeVersions(campaignId: string): Promise<CodeVersion[]> {
    return report.codeVersions(await this.db(), campaignId);
  }
  async ledgerByTier(campaignId: string): Promise<ActivityTierCost[]> {
    return report.ledgerByTier(await this.db(), campaignId);
  }

  async exportEvaluations(campaignId: string): Promise<EvaluationProvenance[]> {
    return exported.exportEvaluations(await this.db(), campaignId);
  }

  /** Rows of a query of the tests' own (checks of what the interface does not read back). */
  async rows(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await (await this.db()).query(text, values)).rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }
}
