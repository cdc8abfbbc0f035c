/**
 * The data `cascade export` writes, read from the store: every candidate with at least one evaluation, its
 * evaluations in the campaign's tier order with their provenance and cost, and its structure (./structures.ts).
 */
import { tierName } from '../../lib/campaign/schema.js';
import { identity } from '../../lib/domain/candidate.js';
import type { ExportedCandidate, ExportedEvaluation, ExportMeta } from '../../lib/export/record.js';
import type { EvaluationProvenance, Store } from '../../store/store.js';
import { CliError } from '../client.js';
import { exportMeta } from './meta.js';
import { structureOf } from './structures.js';

export interface ExportData {
  candidates: ExportedCandidate[];
  meta: ExportMeta;
}

export async function assembleExport(
  store: Store,
  name: string,
  opts: { licence?: string; structures?: boolean } = {},
): Promise<ExportData> {
  const campaign = await store.getCampaign(name);
  if (!campaign) throw new CliError(`no campaign named ${name} in the store ${store.location}`);
  const tiers = campaign.config.tiers.map(tierName);
  const rows = await store.exportEvaluations(name);
  // tiers no longer in the config (an earlier launch) go after the configured ones
  const order = (t: string) => (tiers.includes(t) ? tiers.indexOf(t) : tiers.length);
  const byIdx = new Map<number, ExportedEvaluation[]>();
  for (const r of rows) byIdx.set(r.idx, [...(byIdx.get(r.idx) ?? []), exported(r)]);
  const indices = [...byIdx.keys()].sort((a, b) => a - b);
  const pool = await store.getCandidates(name, indices);
  const candidates: ExportedCandidate[] = [];
  for (const c of pool) {
    const evaluations = (byIdx.get(c.idx) ?? []).sort((a, b) => order(a.tier) - order(b.tier));
    const structure = opts.structures === false ? undefined : await structureOf(store, c, evaluations);
    candidates.push({
      idx: c.idx,
      label: c.label,
      kind: c.kind,
      identity: identity(c),
      ...(structure && { structure }),
      evaluations,
    });
  }
  const properties = [...new Set(rows.flatMap((r) => Object.keys(r.values ?? {})))].sort();
  const allTiers = [...new Set([...tiers, ...rows.map((r) => r.tier)])];
  return { candidates, meta: exportMeta(name, allTiers, properties, opts.licence) };
}

function exported(r: EvaluationProvenance): ExportedEvaluation {
  const values = Object.fromEntries(
    Object.entries(r.values ?? {}).filter((kv): kv is [string, number] => typeof kv[1] === 'number'),
  );
  return {
    tier: r.tier,
    round: r.round,
    status: r.status,
    ...(r.failure?.class && { failureClass: r.failure.class }),
    ...(r.failure?.kind && { failureKind: r.failure.kind }),
    ...(r.message && { message: r.message }),
    cached: r.cached,
    values,
    ...(r.code && { code: r.code }),
    ...(r.codeVersion && { codeVersion: r.codeVersion }),
    ...(r.method && { method: r.method }),
    ...(r.settings && { settings: r.settings }),
    ...(r.geometryHash && { inputHash: r.geometryHash }),
    ...(r.resultKey && { resultKey: r.resultKey }),
    cpuSeconds: r.workCpuSeconds,
    ...(r.energyJoules !== undefined && { energyJoules: r.energyJoules }),
    energySource: r.energySource,
    energyMethods: r.energyMethods,
    ...(r.host && { host: r.host }),
    date: r.at,
  };
}
