/**
 * A campaign tier with a basis ladder (`cbs:` on an NWChem tier): runs escalate() with the tier's functional and
 * settings, records what the ladder did in the store, and answers like one calculation: the
 * last basis's result, with `totalEnergy` replaced by the energy the ladder settled on (the reference basis's
 * when it ran, else the model's prediction) and the CPU time of every basis run.
 */
import { fileURLToPath } from 'node:url';
import type { NwchemTierConfig } from '../../lib/campaign/schema.js';
import type { Geometry } from '../../lib/domain/geometry.js';
import { sumUsage } from '../../lib/domain/usage.js';
import type { Store } from '../../store/store.js';
import { escalate } from '../cbs/escalate.js';
import type { CalculationResult } from '../qm/calculate.js';

/** cascade's own data set, used when a tier names none. */
export const DEFAULT_CBS_DATA = fileURLToPath(new URL('../../data/cbs/molecules.jsonl', import.meta.url));

export type LadderTier = NwchemTierConfig & { cbs: NonNullable<NwchemTierConfig['cbs']> };

export function hasLadder(tier: { code: string; cbs?: unknown }): tier is LadderTier {
  return tier.code === 'nwchem' && tier.cbs !== undefined;
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
  const last = out.steps[out.steps.length - 1]?.result as CalculationResult;
  // what this ladder cost now (cache hits cost nothing), like one calculation's result
  const spent = {
    ...last,
    cached: out.steps.every((s) => s.result.cached),
    usage: sumUsage(out.steps.map((s) => s.result.usage)),
  };
  if (last.record.status !== 'ok') return spent;
  await store.recordLadder({
    ...where,
    tier: where.tierName,
    basesRun: out.steps.map((s) => s.basis),
    basesSkipped: out.skipped,
    cpuSeconds: out.cpuSeconds,
    largestBasisCpuSeconds: out.largestBasisCpuEstimate,
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
        cbs: { ...out.energy, basesRun: out.steps.map((s) => s.basis), skipped: out.skipped },
        warnings: [...((last.record.outputs?.warnings as string[] | undefined) ?? []), ...out.warnings],
      },
    },
  };
}
