/** One candidate at one campaign tier: the calculation the tier asks for (or its basis ladder), through the cache. */
import { ApplicationFailure } from '@temporalio/activity';
import { type TierConfig, tierName } from '../../lib/campaign/schema.js';
import { type Geometry, isCrystal, type QmSystem } from '../../lib/domain/geometry.js';
import type { CalcSpec } from '../../qm/template.js';
import type { Store } from '../../store/store.js';
import {
  type CalculationRequest,
  type CalculationResult,
  CalculationStopped,
  calculate,
  workerDeathsUnder,
} from '../qm/calculate.js';
import type { Progress } from '../qm/runner.js';
import { hasLadder, runLadderTier } from './cbs-tier.js';

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

/** Runs the tier (a ladder tier basis by basis); a stopped calculation is left for Temporal to retry. */
export async function runTier(
  store: Store,
  tier: TierConfig,
  system: QmSystem,
  where: { campaignId: string; round: number; idx: number },
  opts: { signal: AbortSignal; onProgress: (p: Progress) => void },
): Promise<CalculationResult> {
  if (hasLadder(tier) && !isCrystal(system)) {
    return runLadderTier(store, tier, system, { ...where, tierName: tierName(tier) }, (basis) =>
      runOne(store, { ...tier, basis }, system, opts),
    );
  }
  return runOne(store, tier, system, opts);
}

/**
 * Workers that died while running this tier's calculation (0 when the store answers it): the caller runs it
 * alone then. A basis ladder's calculations are counted each as it runs, not here.
 */
export async function tierWorkerDeaths(store: Store, tier: TierConfig, system: QmSystem): Promise<number> {
  if (hasLadder(tier) && !isCrystal(system)) return 0;
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
