/**
 * The embedded store: one SQLite file. better-sqlite3 is synchronous and fast; the methods are async only to
 * meet the Store interface that a database server's implementation needs.
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
import { type Db, openDatabase } from './db.js';
import * as evaluations from './evaluations.js';
import * as exported from './export.js';
import * as features from './features.js';
import * as ledger from './ledger.js';
import * as models from './models.js';
import * as qm from './qm-results.js';
import * as report from './report.js';

export class SqliteStore implements Store {
  readonly db: Db;

  constructor(readonly location: string) {
    this.db = openDatabase(location);
  }

  async saveCampaign(id: string, config: CampaignConfig, configFile?: string): Promise<void> {
    campaigns.saveCampaign(this.db, id, config, configFile);
  }
  async getCampaign(id: string): Promise<CampaignRecord | undefined> {
    return campaigns.getCampaign(this.db, id);
  }
  async setPoolSummary(id: string, pool: PoolSummary): Promise<void> {
    campaigns.setPoolSummary(this.db, id, pool);
  }
  async deleteCampaign(id: string): Promise<void> {
    campaigns.deleteCampaign(this.db, id);
  }
  async resetCampaign(id: string): Promise<void> {
    campaigns.resetCampaign(this.db, id);
  }

  async putCandidates(campaignId: string, list: readonly Candidate[]): Promise<void> {
    candidates.putCandidates(this.db, campaignId, list);
  }
  async appendCandidates(campaignId: string, list: readonly Candidate[]): Promise<void> {
    candidates.appendCandidates(this.db, campaignId, list);
  }
  async countCandidates(campaignId: string): Promise<number> {
    return candidates.countCandidates(this.db, campaignId);
  }
  async listCandidates(campaignId: string): Promise<Candidate[]> {
    return candidates.listCandidates(this.db, campaignId);
  }
  async getCandidates(campaignId: string, indices: readonly number[]): Promise<Candidate[]> {
    return candidates.getCandidates(this.db, campaignId, indices);
  }

  async getFeatures(keys: readonly string[]): Promise<Map<string, Float32Array>> {
    return features.getFeatures(this.db, keys);
  }
  async putFeatures(rows: ReadonlyArray<{ key: string; features: Float32Array }>): Promise<void> {
    features.putFeatures(this.db, rows);
  }
  async getGeometry(identity: string, generator: string): Promise<string | undefined> {
    return qm.getGeometry(this.db, identity, generator);
  }
  async putGeometry(identity: string, generator: string, geometryJson: string): Promise<void> {
    qm.putGeometry(this.db, identity, generator, geometryJson);
  }

  async getQmResult(key: string): Promise<QmResultRecord | undefined> {
    return qm.getQmResult(this.db, key);
  }
  async startExecution(key: string, code: string, host: string): Promise<number> {
    return qm.startExecution(this.db, key, code, host);
  }
  async finishExecution(id: number, status: string, result?: QmResultRecord): Promise<void> {
    qm.finishExecution(this.db, id, status, result);
  }
  async listExecutions(filter?: { key?: string; code?: string }): Promise<Execution[]> {
    return qm.listExecutions(this.db, filter);
  }
  async markExecutionsLost(ids: readonly number[]): Promise<void> {
    qm.markExecutionsLost(this.db, ids);
  }
  async claimExecution(
    key: string,
    code: string,
    host: string,
    leaseSeconds?: number,
  ): Promise<number | undefined> {
    return claims.claimExecution(this.db, key, code, host, leaseSeconds);
  }
  async renewClaim(execution: number, leaseSeconds?: number): Promise<boolean> {
    return claims.renewClaim(this.db, execution, leaseSeconds);
  }
  async liveClaim(key: string): Promise<{ execution: number; leaseUntil: string } | undefined> {
    return claims.liveClaim(this.db, key);
  }
  async putQmResult(result: QmResultRecord): Promise<void> {
    qm.putQmResult(this.db, result);
  }

  async putEvaluation(
    campaignId: string,
    e: EvaluationRecord,
    entries?: LedgerEntry | LedgerEntry[],
  ): Promise<void> {
    evaluations.putEvaluation(this.db, campaignId, e, entries === undefined ? [] : [entries].flat());
  }
  async getEvaluation(campaignId: string, idx: number, tier: string): Promise<EvaluationRecord | undefined> {
    return evaluations.getEvaluation(this.db, campaignId, idx, tier);
  }
  async listEvaluations(campaignId: string, tier?: string): Promise<EvaluationRecord[]> {
    return evaluations.listEvaluations(this.db, campaignId, tier);
  }
  async topEvaluations(
    campaignId: string,
    tier: string,
    objective: Pick<ObjectiveSpec, 'direction'>,
    n: number,
  ): Promise<RankedEvaluation[]> {
    return evaluations.topEvaluations(this.db, campaignId, tier, objective, n);
  }

  async putModel(m: ModelRecord, weights: Uint8Array): Promise<void> {
    models.putModel(this.db, m, weights);
  }
  async latestModel(campaignId: string, property?: string): Promise<ModelRecord | undefined> {
    return models.latestModel(this.db, campaignId, property);
  }
  async getModelWeights(id: string): Promise<Uint8Array | undefined> {
    return models.getModelWeights(this.db, id);
  }
  async putPredictions(
    campaignId: string,
    modelId: string,
    mean: Float32Array,
    std: Float32Array,
    indices: ArrayLike<number>,
  ): Promise<void> {
    models.putPredictions(this.db, campaignId, modelId, mean, std, indices);
  }
  async getPredictions(modelId: string): Promise<Prediction[]> {
    return models.getPredictions(this.db, modelId);
  }
  async getPredictionColumns(modelId: string): Promise<PredictionColumns | undefined> {
    return models.getPredictionColumns(this.db, modelId);
  }

  async putPredictionSamples(
    campaignId: string,
    modelId: string,
    members: readonly Float32Array[],
    indices: readonly number[],
  ): Promise<void> {
    models.putPredictionSamples(this.db, campaignId, modelId, members, indices);
  }

  async getPredictionSamples(modelId: string): Promise<PredictionSamples | undefined> {
    return models.getPredictionSamples(this.db, modelId);
  }
  async listModels(campaignId: string): Promise<ModelRecord[]> {
    return report.listModels(this.db, campaignId);
  }
  async unevaluatedPredictions(campaignId: string, modelId: string, tier: string): Promise<Prediction[]> {
    return counterfactual.unevaluatedPredictions(this.db, campaignId, modelId, tier);
  }

  async candidateUsage(
    campaignId: string,
    where: { round: number; idx: number; tier: string },
  ): Promise<LedgerTotals | undefined> {
    return ledger.candidateUsage(this.db, campaignId, where);
  }

  async record(entry: LedgerEntry): Promise<void> {
    ledger.record(this.db, entry);
  }
  async ledgerTotals(campaignId: string): Promise<LedgerTotals[]> {
    return ledger.ledgerTotals(this.db, campaignId);
  }
  async campaignTotals(campaignId: string): Promise<{ cpuSeconds: number; energyJoules: number }> {
    return ledger.campaignTotals(this.db, campaignId);
  }
  async recordLadder(r: LadderRecord): Promise<void> {
    ladders.recordLadder(this.db, r);
  }
  async ladderSavings(campaignId: string): Promise<LadderSavings | undefined> {
    return ladders.ladderSavings(this.db, campaignId);
  }
  async tierCosts(campaignId: string): Promise<TierCostRecord[]> {
    return counterfactual.tierCosts(this.db, campaignId);
  }

  async evaluationTimeline(campaignId: string): Promise<TimedEvaluation[]> {
    return report.evaluationTimeline(this.db, campaignId);
  }
  async costTimeline(campaignId: string): Promise<TimedCost[]> {
    return report.costTimeline(this.db, campaignId);
  }
  async listLadders(campaignId: string): Promise<LadderRecord[]> {
    return report.listLadders(this.db, campaignId);
  }
  async codeVersions(campaignId: string): Promise<CodeVersion[]> {
    return report.codeVersions(this.db, campaignId);
  }
  async ledgerByTier(campaignId: string): Promise<ActivityTierCost[]> {
    return report.ledgerByTier(this.db, campaignId);
  }

  async exportEvaluations(campaignId: string): Promise<EvaluationProvenance[]> {
    return exported.exportEvaluations(this.db, campaignId);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
