/**
 * A campaign tier with a basis ladder (`cbs:` on an NWChem tier, or an rgkmax ladder on an Elk tier): runs
 * escalate() / escalateRgkmax() with the tier's functional and settings, records what the ladder did in the store,
 * and answers like one calculation: the last rung's result, with `totalEnergy` replaced by the energy the ladder
 * settled on (the reference rung's when it ran, else the model's prediction) and the CPU time of every rung run.
 */
import { fileURLToPath } from 'node:url';
import type { ElkTierConfig, NwchemTierConfig } from '../../lib/campaign/schema.js';
import type { Crystal, Geometry } from '../../lib/domain/geometry.js';
import { sumUsage } from '../../lib/domain/usage.js';
import type { Store } from '../../store/store.js';
import { escalate } from '../cbs/escalate.js';
import { escalateRgkmax } from '../cbs/escalate-rgkmax.js';
import type { CalculationResult } from '../qm/calculate.js';

/** cascade's own data set, used when a tier names none. */
export const DEFAULT_CBS_DATA = fileURLToPath(new URL('../../data/cbs/molecules.jsonl', import.meta.url));
/** cascade's own data set of crystals, for Elk's rgkmax ladder. */
export const DEFAULT_SOLID_CBS_DATA = fileURLToPath(new URL('../../data/cbs/solids.jsonl', import.meta.url));

export type LadderTier = NwchemTierConfig & { cbs: NonNullable<NwchemTierConfig['cbs']> };

export function hasLadder(tier: { code: string; cbs?: unknown }): tier is LadderTier {
  return tier.code === 'nwchem' && tier.cbs !== undefined;
}

export type RgkmaxLadderTier = ElkTierConfig & { cbs: NonNullable<ElkTierConfig['cbs']> };

export function hasRgkmaxLadder(tier: { code: string; cbs?: unknown }): tier is RgkmaxLadderTier {
  return tier.code === 'elk' && tier.cbs !== undefined;
}

/** The rgkmax ladder's rungs as the store's ladder record names them ("rgkmax 5"). */
const rung = (rgkmax: number) => `rgkmax ${rgkmax}`;

export async function runRgkmaxLadderTier(
  store: Store,
  tier: RgkmaxLadderTier,
  crystal: Crystal,
  prototype: string | undefined,
  where: { campaignId: string; round: number; idx: number; tierName: string },
  runRung: (rgkmax: number) => Promise<CalculationResult>,
): Promise<CalculationResult> {
  const out = await escalateRgkmax(
    {
      rgkmax: tier.cbs.rgkmax,
      maxIntervalMeVPerAtom: tier.cbs.maxIntervalMeVPerAtom,
      data: tier.cbs.data ?? DEFAULT_SOLID_CBS_DATA,
    },
    { species: crystal.symbols, method: tier.method, ...(prototype !== undefined && { prototype }) },
    runRung,
  );
  return settle(store, where, {
    steps: out.steps.map((s) => ({ name: rung(s.rgkmax), result: s.result })),
    skipped: out.skipped.map(rung),
    cpuSeconds: out.cpuSeconds,
    largestCpuSeconds: out.largestBasisCpuEstimate,
    energy: out.energy,
    warnings: out.warnings,
    extra: { referenceRgkmax: out.referenceRgkmax },
  });
}

export async function runLadderTier(
  store: Store,
  tier: LadderTier,
  geom: Geometry,
  where: { campaignId: string; round: number; idx: number; tierName: string },
  runBasis: (basis: string) => Promise<CalculationResult>,
): Promise<CalculationResult> {
  const out = await escalate(
    {
      bases: tier.cbs.bases,
      maxIntervalMeVPerAtom: tier.cbs.maxIntervalMeVPerAtom,
      data: tier.cbs.data ?? DEFAULT_CBS_DATA,
    },
    { species: geom.symbols, method: tier.method },
    runBasis,
  );
  return settle(store, where, {
    steps: out.steps.map((s) => ({ name: s.basis, result: s.result })),
    skipped: out.skipped,
    cpuSeconds: out.cpuSeconds,
    largestCpuSeconds: out.largestBasisCpuEstimate,
    energy: out.energy,
    warnings: out.warnings,
  });
}

/** What a ladder did, whichever kind: its rungs by name, and the energy it settled on. */
interface Climbed {
  steps: { name: string; result: CalculationResult }[];
  skipped: string[];
  cpuSeconds: number;
  largestCpuSeconds: number;
  energy: { value: number; lo: number; hi: number; source: 'computed' | 'predicted' };
  warnings: string[];
  /** Added to the result's `cbs` output. */
  extra?: Record<string, unknown>;
}

/** Records the ladder and answers like one calculation (see the top of this file). */
async function settle(
  store: Store,
  where: { campaignId: string; round: number; idx: number; tierName: string },
  out: Climbed,
): Promise<CalculationResult> {
  const last = out.steps[out.steps.length - 1]?.result as CalculationResult;
  // what this ladder cost now (cache hits cost nothing), like one calculation's result
  const spent = {
    ...last,
    cached: out.steps.every((s) => s.result.cached),
    usage: sumUsage(out.steps.map((s) => s.result.usage)),
  };
  if (last.record.status !== 'ok') return spent;
  const run = out.steps.map((s) => s.name);
  await store.recordLadder({
    ...where,
    tier: where.tierName,
    basesRun: run,
    basesSkipped: out.skipped,
    cpuSeconds: out.cpuSeconds,
    largestBasisCpuSeconds: out.largestCpuSeconds,
    energy: out.energy.value,
    lo: out.energy.lo,
    hi: out.energy.hi,
    source: out.energy.source,
  });
  return {
    ...spent,
    record: {
      ...last.record,
      outputs: {
        ...last.record.outputs,
        totalEnergy: out.energy.value,
        cbs: { ...out.energy, basesRun: run, skipped: out.skipped, ...out.extra },
        warnings: [...((last.record.outputs?.warnings as string[] | undefined) ?? []), ...out.warnings],
      },
    },
  };
}
