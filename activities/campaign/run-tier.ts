/** One candidate at one campaign tier: the calculation the tier asks for (or its basis ladder), through the cache. */
import { ApplicationFailure } from '@temporalio/activity';
import { type ElkTierConfig, type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { type Crystal, type Geometry, isCrystal, type QmSystem } from '../../lib/domain/geometry.js';
import type { CalcSpec } from '../../qm/template.js';
import type { Store } from '../../store/store.js';
import { rgkmaxModel } from '../cbs/escalate-rgkmax.js';
import {
  type CalculationRequest,
  type CalculationResult,
  CalculationStopped,
  calculate,
  workerDeathsUnder,
} from '../qm/calculate.js';
import type { Progress } from '../qm/runner.js';
import {
  DEFAULT_SOLID_CBS_DATA,
  hasLadder,
  hasRgkmaxLadder,
  runLadderTier,
  runRgkmaxLadderTier,
} from './cbs-tier.js';
import { referenceTier, sharedReference, withSolidEnergies } from './solid-energies.js';

/** The calculation a campaign tier asks for. A crystal has no charge or spin of its own: neutral, singlet. */
export function tierSpec(tier: TierConfig, system: QmSystem): CalcSpec {
  const state: Pick<Geometry, 'charge' | 'multiplicity'> = isCrystal(system)
    ? { charge: 0, multiplicity: 1 }
    : system;
  return {
    code: tier.code,
    method: tier.method,
    task: tier.optimize ? 'optimize' : 'energy',
    ...('basis' in tier && { basis: tier.basis }),
    ...('solvent' in tier && tier.solvent !== undefined && { solvent: tier.solvent }),
    charge: state.charge,
    multiplicity: state.multiplicity,
    settings: { ...tier.settings },
  };
}

/**
 * Runs the tier (a ladder tier rung by rung; an Elk tier with its per-atom and formation energies); a stopped
 * calculation is left for Temporal to retry.
 */
export async function runTier(
  store: Store,
  tier: TierConfig,
  system: QmSystem,
  where: { campaignId: string; round: number; idx: number; prototype?: string },
  opts: { signal: AbortSignal; onProgress: (p: Progress) => void },
): Promise<CalculationResult> {
  if (tier.code === 'elk' && isCrystal(system)) return runSolidTier(store, tier, system, where, opts);
  if (hasLadder(tier) && !isCrystal(system)) {
    return runLadderTier(store, tier, system, { ...where, tierName: tierName(tier) }, (basis) =>
      runOne(store, { ...tier, basis }, system, opts),
    );
  }
  return runOne(store, tier, system, opts);
}

/** An Elk tier on a crystal: its calculation or rgkmax ladder, then the energies per atom (./solid-energies.ts). */
async function runSolidTier(
  store: Store,
  tier: ElkTierConfig,
  crystal: Crystal,
  where: { campaignId: string; round: number; idx: number; prototype?: string },
  opts: { signal: AbortSignal; onProgress: (p: Progress) => void },
): Promise<CalculationResult> {
  const { prototype, ...place } = where;
  const result = hasRgkmaxLadder(tier)
    ? await runRgkmaxLadderTier(
        store,
        tier,
        crystal,
        prototype,
        { ...place, tierName: tierName(tier) },
        (rgkmax) => runOne(store, { ...tier, settings: { ...tier.settings, rgkmax } }, crystal, opts),
      )
    : await runOne(store, tier, crystal, opts);
  // a ladder settles on the reference rgkmax's energy: the elements run there
  const references = hasRgkmaxLadder(tier)
    ? referenceTier(tier, (await rgkmaxModel(tier.cbs.data ?? DEFAULT_SOLID_CBS_DATA)).referenceRgkmax)
    : tier;
  return withSolidEnergies(crystal, result, (symbol, cell) =>
    sharedReference(JSON.stringify([symbol, cell.lattice, references]), () =>
      runOne(store, references, cell, opts),
    ),
  );
}

/**
 * Workers that died while running this tier's calculation (0 when the store answers it): the caller runs it
 * alone then. A basis ladder's calculations are counted each as it runs, not here.
 */
export async function tierWorkerDeaths(store: Store, tier: TierConfig, system: QmSystem): Promise<number> {
  if ((hasLadder(tier) && !isCrystal(system)) || hasRgkmaxLadder(tier)) return 0;
  return workerDeathsUnder(store, tierRequest(tier, system));
}

function tierRequest(tier: TierConfig, system: QmSystem): CalculationRequest {
  return {
    spec: tierSpec(tier, system),
    system,
    timeoutSeconds: tier.timeoutSeconds,
    threads: tier.threads,
    // a tier may ask for its stored failures to be computed again
    ...(tier.recompute && { recompute: 'failures' as const }),
    ...(tier.slurm && { slurm: { ...tier.slurm, requestedBy: `tier "${tierName(tier)}"` } }),
  };
}

async function runOne(
  store: Store,
  tier: TierConfig,
  system: QmSystem,
  opts: { signal: AbortSignal; onProgress: (p: Progress) => void },
): Promise<CalculationResult> {
  try {
    return await calculate(store, tierRequest(tier, system), opts);
  } catch (e) {
    if (e instanceof CalculationStopped) throw ApplicationFailure.retryable(e.message, 'CalculationKilled');
    throw e;
  }
}
