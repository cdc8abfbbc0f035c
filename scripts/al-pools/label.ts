/**
 * One molecule of a pool through a campaign's own code path: its structure from the campaign's provider
 * (the seeded OpenChemLib embedding, stored per SMILES; a higher tier starts from the geometry the tier below
 * optimised, when it optimised one), each tier's calculation through runTier and the content-addressed cache,
 * and an evaluation per tier stored as a campaign stores it (so the next tier's provider finds it).
 */
import { runTier } from '../../activities/campaign/run-tier.js';
import { structureFor } from '../../activities/campaign/structures.js';
import type { CalculationResult } from '../../activities/qm/calculate.js';
import { smilesTo3D } from '../../activities/qm/geometry.js';
import { GEOMETRY_GENERATOR } from '../../activities/qm/stored-geometry.js';
import { measured } from '../../activities/usage.js';
import { tierName } from '../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { QmSystem } from '../../lib/domain/geometry.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { CalcOutputs } from '../../qm/template.js';
import type { Store } from '../../store/store.js';
import type { PoolDefinition } from './definitions.js';
import { type PoolRow, rounded, type TierLabel } from './rows.js';

export interface LabelOptions {
  /** Kills the running calculation (Ctrl-C); nothing is recorded for it. */
  signal?: AbortSignal;
  /** Embedding costs measured earlier (by the other pool's file), for geometries the store already holds. */
  embeddingCost?: (smiles: string) => PoolRow['geometry'] | undefined;
}

export async function labelMolecule(
  store: Store,
  def: PoolDefinition,
  cand: MoleculeCandidate,
  opts: LabelOptions = {},
): Promise<PoolRow> {
  const { campaignId } = def;
  const ladder = def.config.tiers;
  const signal = opts.signal ?? new AbortController().signal;
  const labels: Record<string, TierLabel> = {};
  let made: Usage | undefined;
  let geometryError: string | undefined;
  for (const [t, tier] of ladder.entries()) {
    const name = tierName(tier);
    const below = ladder[t - 1];
    let system: QmSystem;
    try {
      system = await structureFor(store, cand, below && { campaignId, tier: tierName(below) }, (u) => {
        made = u;
      });
    } catch (e) {
      geometryError = (e as Error).message;
      labels[name] = {
        status: 'failed',
        cpuSeconds: 0,
        wallSeconds: 0,
        error: `3D embedding failed: ${geometryError}`,
      };
      break;
    }
    if (made && t === 0) await store.record({ campaignId, round: 0, activity: 'geometry', usage: made });
    const r = await runTier(
      store,
      tier,
      system,
      { campaignId, round: 0, idx: cand.idx },
      {
        signal,
        onProgress: () => {},
      },
    );
    const label = labelOf(r, def.config.objective.property);
    await store.putEvaluation(
      campaignId,
      {
        idx: cand.idx,
        tier: name,
        round: 0,
        resultKey: r.record.key,
        status: label.status,
        value: label.homoLumoGap,
        values: valuesOf(r),
        message: label.error,
        cached: r.cached,
        cpuSeconds: r.cached ? 0 : r.usage.cpuSeconds,
        wallSeconds: r.cached ? 0 : r.usage.wallSeconds,
      },
      r.cached ? undefined : { campaignId, round: 0, activity: `qm:${name}`, usage: r.usage },
    );
    labels[name] = label;
    // as in a campaign: a candidate that failed a tier is not promoted to the next
    if (label.status !== 'ok') break;
  }
  return {
    id: cand.label,
    smiles: cand.smiles,
    heavyAtoms: cand.heavyAtoms,
    labels,
    geometry: await geometryCost(cand.smiles, made, geometryError, opts),
  };
}

/**
 * What embedding the molecule cost. The store may hold its geometry already (an interrupted run, or the other
 * pool embedded it): then the cost measured then, from the other pool's file, or the embedding measured once
 * more (it is deterministic, so the same work), since the store keeps geometries but not their cost.
 */
async function geometryCost(
  smiles: string,
  made: Usage | undefined,
  error: string | undefined,
  opts: LabelOptions,
): Promise<PoolRow['geometry']> {
  const method = GEOMETRY_GENERATOR;
  const of = (u: Usage) => ({ cpuSeconds: rounded(u.cpuSeconds, 3), wallSeconds: rounded(u.wallSeconds, 3) });
  if (made) return { ...of(made), method, ...(error !== undefined && { error }) };
  const known = opts.embeddingCost?.(smiles);
  if (known && known.method === method) return known;
  const { usage } = await measured(() => smilesTo3D(smiles));
  return { ...of(usage), method };
}

/** A campaign counts a tier ok only when it reported the objective's property. */
function labelOf(r: CalculationResult, property: string): TierLabel {
  const rec = r.record;
  const o = rec.outputs as CalcOutputs | undefined;
  const p = rec.provenance as { cpuSeconds?: number; wallSeconds?: number; maxRssKb?: number };
  const value = (o as Record<string, unknown> | undefined)?.[property];
  const ok = rec.status === 'ok' && typeof value === 'number' && Number.isFinite(value);
  const error = ok ? undefined : (rec.failure?.message ?? `did not report ${property}`);
  return {
    status: ok ? 'ok' : 'failed',
    ...(o?.homoLumoGap !== undefined && { homoLumoGap: rounded(o.homoLumoGap, 5) }),
    ...(o?.totalEnergy !== undefined && { energy: rounded(o.totalEnergy, 8) }),
    cpuSeconds: rounded(p.cpuSeconds ?? 0, 3),
    wallSeconds: rounded(p.wallSeconds ?? 0, 3),
    ...(p.maxRssKb !== undefined && { peakMemoryBytes: p.maxRssKb * 1024 }),
    ...(error !== undefined && { error }),
  };
}

function valuesOf(r: CalculationResult): Record<string, number> {
  const o = r.record.outputs as CalcOutputs | undefined;
  if (!o) return {};
  const out: Record<string, number> = { totalEnergy: o.totalEnergy };
  if (o.homoLumoGap !== undefined) out.homoLumoGap = o.homoLumoGap;
  if (o.dipoleMoment !== undefined) out.dipoleMoment = o.dipoleMoment;
  return out;
}
