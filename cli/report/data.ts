/**
 * The report's read model: `cascade status`'s (cli/report-data.ts) and what only the report draws: how the best
 * grew with calls and energy, each surrogate against the batch it chose, the tier funnel, the basis ladders'
 * decisions, resources by activity and tier, and the versions of every code used. Read through the Store.
 */
import { feasible, objectivesOf } from '../../lib/campaign/objectives.js';
import { type CampaignConfig, tierName } from '../../lib/campaign/schema.js';
import type { Candidate } from '../../lib/domain/candidate.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { type ObjectiveSpec, valueOf } from '../../lib/domain/objective.js';
import { JOULES_PER_KWH } from '../../lib/domain/units.js';
import {
  bestTrace,
  type ReferencePoint,
  randomReference,
  type TracePoint,
} from '../../lib/report/best-trace.js';
import { type CalibrationPoint, calibrationCurve } from '../../lib/report/calibration.js';
import { type FunnelStage, tierFunnel } from '../../lib/report/funnel.js';
import type { ParetoInput } from '../../lib/report/pareto-chart.js';
import type { ActivityUse } from '../../lib/report/resource-charts.js';
import type { RoundCheck } from '../../lib/report/surrogate-charts.js';
import type {
  CampaignRecord,
  CodeVersion,
  LadderRecord,
  ModelRecord,
  Store,
  TimedEvaluation,
} from '../../store/store.js';
import { UNITS } from '../format.js';
import { cascadeVersion } from '../paths.js';
import { type StoreView, storeView } from '../report-data.js';

/** A top candidate with its values at every tier it reached. */
export interface ReportCandidate {
  rank: number;
  candidate: Candidate;
  /** The objective's value at each tier, in ladder order (absent where not evaluated or failed). */
  values: Record<string, number>;
}

export interface ReportData {
  name: string;
  campaign: CampaignRecord;
  status: StoreView;
  tiers: string[];
  topTier: string;
  objectives: ObjectiveSpec[];
  /** The primary objective's axis title, with its unit. */
  valueTitle: string;
  trace: TracePoint[];
  /** Random screening's expected best; absent with `referenceNote` saying why. */
  reference?: ReferencePoint[];
  referenceNote?: string;
  bruteForce: { calls: number; kWh?: number };
  /** The first objective's surrogates, oldest first. */
  models: ModelRecord[];
  /** Each model against the batch it chose, with its calibration. */
  rounds: Array<RoundCheck & { calibration: CalibrationPoint[] }>;
  funnel: FunnelStage[];
  ladders: LadderRecord[];
  uses: ActivityUse[];
  energyMethods: string[];
  hardware: string[];
  top: ReportCandidate[];
  pareto?: ParetoInput;
  versions: { cascade: string; codes: CodeVersion[]; surrogateBackends: string[] };
  evaluations: number;
}

export async function reportData(store: Store, name: string, topN = 12): Promise<ReportData | undefined> {
  const campaign = await store.getCampaign(name);
  if (!campaign) return undefined;
  const config = campaign.config;
  const tiers = config.tiers.map(tierName);
  const topTier = tiers[tiers.length - 1] as string;
  const objective = config.objective;
  const status = await storeView(store, name, topN);
  const timeline = await store.evaluationTimeline(name);
  const allModels = await store.listModels(name);
  // the surrogates of the first objective; a multi-objective or constrained campaign trains others beside them
  const models = allModels.filter((m) => m.description.property === undefined);
  const poolSize = await store.countCandidates(name);
  const valued = timeline.map((e) => withValue(config, e));

  const cf = status.counterfactual;
  const joulesPerCandidate = cf?.tiers.every((t) => t.median)
    ? cf.tiers.reduce((a, t) => a + (t.median?.energyJoules ?? 0), 0)
    : undefined;
  const pool = await poolValues(store, valued, models, topTier, poolSize);
  const referenceNote =
    'values' in pool
      ? joulesPerCandidate === undefined
        ? 'no measured cost at some tier: the random reference needs each tier’s cost per candidate'
        : undefined
      : pool.unavailable;

  return {
    name,
    campaign,
    status,
    tiers,
    topTier,
    objectives: objectivesOf(config),
    valueTitle: titleOf(objective.property),
    trace: bestTrace(valued, await store.costTimeline(name), objective, topTier),
    ...('values' in pool && joulesPerCandidate !== undefined
      ? { reference: randomReference(objective, pool.values, { tiers: tiers.length, joulesPerCandidate }) }
      : {}),
    ...(referenceNote ? { referenceNote } : {}),
    bruteForce: {
      calls: poolSize * tiers.length,
      ...(cf?.bruteForce.allTiers ? { kWh: cf.bruteForce.allTiers.energyJoules / JOULES_PER_KWH } : {}),
    },
    models,
    rounds: await roundChecks(store, models, valued),
    funnel: tierFunnel(tiers, timeline),
    ladders: await store.listLadders(name),
    ...(await resourcesOf(store, name, status)),
    top: await topCandidates(store, name, status, valued, tiers),
    ...paretoOf(config, valued, topTier, await resultCandidates(store, name, valued, topTier)),
    versions: {
      cascade: cascadeVersion(),
      codes: await store.codeVersions(name),
      surrogateBackends: [...new Set(allModels.map((m) => `${m.kind} (${m.backend})`))],
    },
    evaluations: timeline.length,
  };
}

/** An axis title: the property and its unit. */
export function titleOf(property: string): string {
  const unit = UNITS[property];
  return unit ? `${property} (${unit})` : property;
}

/** The evaluation's value of the campaign's primary objective. */
/** The evaluation with its objective value, when it succeeded and meets the constraints (else none: never best). */
function withValue(config: CampaignConfig, e: TimedEvaluation): TimedEvaluation {
  const v = e.status === 'ok' && feasible(config, e.values) ? valueOf(config.objective, e) : undefined;
  const { value: _, ...rest } = e;
  return v === undefined ? rest : { ...rest, value: v };
}

/**
 * The top tier's value of every candidate of the pool, as well as is known: the computed one, else the latest
 * surrogate's prediction when it learned the top tier. Random screening's expected best is drawn from these.
 */
async function poolValues(
  store: Store,
  valued: readonly TimedEvaluation[],
  models: readonly ModelRecord[],
  topTier: string,
  poolSize: number,
): Promise<{ values: number[] } | { unavailable: string }> {
  const known = new Map<number, number>();
  const evaluatedTop = new Set<number>();
  for (const e of valued) {
    if (e.tier !== topTier) continue;
    evaluatedTop.add(e.idx);
    if (e.value !== undefined) known.set(e.idx, e.value);
  }
  if (evaluatedTop.size >= poolSize) return { values: [...known.values()] };
  const latest = models[models.length - 1];
  if (!latest) return { unavailable: 'no surrogate was trained, so the pool’s values are unknown' };
  if (latest.description.labelTier !== topTier)
    return {
      unavailable: `the latest surrogate learned ${latest.description.labelTier ?? 'an unrecorded tier'}, not ${topTier}: the pool’s ${topTier} values are unknown`,
    };
  const predicted = new Map((await store.getPredictions(latest.id)).map((p) => [p.idx, p.mean]));
  const values: number[] = [];
  for (let idx = 0; idx < poolSize; idx++) {
    const v = evaluatedTop.has(idx) ? known.get(idx) : predicted.get(idx);
    if (v !== undefined) values.push(v);
  }
  return { values };
}

/** Each model's predictions against what was then computed, at its label tier, for the batch of its round. */
async function roundChecks(
  store: Store,
  models: readonly ModelRecord[],
  valued: readonly TimedEvaluation[],
): Promise<ReportData['rounds']> {
  const out: ReportData['rounds'] = [];
  for (const m of models) {
    const tier = m.description.labelTier;
    if (!tier) continue;
    const predicted = new Map((await store.getPredictions(m.id)).map((p) => [p.idx, p]));
    const points = valued.flatMap((e) => {
      const p = predicted.get(e.idx);
      return e.tier === tier && e.round === m.round && e.value !== undefined && p
        ? [{ computed: e.value, mean: p.mean, std: p.std }]
        : [];
    });
    if (points.length > 0) out.push({ round: m.round, tier, points, calibration: calibrationCurve(points) });
  }
  return out;
}

/** The ledger by activity and tier, as bars; how its energy was obtained and on what hardware. */
async function resourcesOf(
  store: Store,
  name: string,
  status: StoreView,
): Promise<Pick<ReportData, 'uses' | 'energyMethods' | 'hardware'>> {
  const uses = (await store.ledgerByTier(name)).map((r) => ({
    activity: r.activity,
    ...(r.tier !== undefined ? { tier: r.tier } : {}),
    kWh: r.energyJoules / JOULES_PER_KWH,
    cpuHours: r.cpuSeconds / 3600,
  }));
  const energyMethods = [...new Set(status.resources.flatMap((r) => r.energyMethods ?? []))];
  const hardware = [...new Set(status.resources.flatMap((r) => r.hardware ?? []))];
  return { uses, energyMethods, hardware };
}

async function topCandidates(
  store: Store,
  name: string,
  status: StoreView,
  valued: readonly TimedEvaluation[],
  tiers: readonly string[],
): Promise<ReportCandidate[]> {
  const candidates = await store.getCandidates(
    name,
    status.top.map((t) => t.idx),
  );
  return candidates.map((candidate, i) => {
    const values: Record<string, number> = {};
    for (const e of valued)
      if (e.idx === candidate.idx && e.value !== undefined && tiers.includes(e.tier))
        values[e.tier] = e.value;
    return { rank: i + 1, candidate, values };
  });
}

/** The candidates with a top-tier result (labels for the Pareto chart, and their synthetic accessibility). */
async function resultCandidates(
  store: Store,
  name: string,
  valued: readonly TimedEvaluation[],
  topTier: string,
): Promise<Map<number, Candidate>> {
  const idx = [...new Set(valued.filter((e) => e.tier === topTier && e.status === 'ok').map((e) => e.idx))];
  return new Map((await store.getCandidates(name, idx)).map((c) => [c.idx, c]));
}

/** With several objectives: each top-tier result's values of all of them. */
function paretoOf(
  config: CampaignRecord['config'],
  valued: readonly TimedEvaluation[],
  topTier: string,
  candidates: Map<number, Candidate>,
): { pareto?: ParetoInput } {
  const objectives = objectivesOf(config);
  if (objectives.length < 2) return {};
  const rows = valued
    .filter((e) => e.tier === topTier && e.status === 'ok')
    .map((e) => {
      const c = candidates.get(e.idx);
      return {
        label: c?.label ?? `#${e.idx}`,
        values: objectives.map((o) => propertyOf(o.property, e, c) ?? Number.NaN),
      };
    });
  return { pareto: { objectives, rows, titles: objectives.map((o) => titleOf(o.property)) } };
}

/** A result's property: reported by the tier, or, for the synthetic accessibility score, the candidate's own. */
function propertyOf(property: string, e: TimedEvaluation, c: Candidate | undefined): number | undefined {
  if (property === 'saScore') return c?.kind === 'molecule' ? c.saScore : undefined;
  const v = e.values?.[property];
  return v === undefined || Number.isNaN(v) ? undefined : v;
}
