/**
 * The surrogates a campaign trains beside its own model, one per further property (a later objective, a
 * constrained property), on the same feature rows.
 */
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { PoolMatrix } from '../../lib/surrogate/pool-rows.js';
import type { Store } from '../../store/store.js';
import { fitSurrogates } from '../ml/fit.js';
import { propertySet } from './training-set.js';

/** What a property's surrogate needs of the retrain: where it is, the pool and its feature rows (moved away). */
export interface PropertyFit {
  campaignId: string;
  round: number;
  seed: number;
  config: Pick<CampaignConfig, 'surrogate' | 'tiers'>;
  /** The retrain's model id: the property's is `ID~PROPERTY`. */
  id: string;
  property: string;
  pool: readonly { idx: number }[];
  features: PoolMatrix;
}

/**
 * A surrogate for one more property (a later objective, a constrained property): direct, on the highest tier
 * with enough results reporting it; stored as `ID~PROPERTY`, its description naming the property. Nothing when
 * no tier has enough yet (acquisition then leaves that property out).
 */
export async function fitProperty(
  store: Store,
  a: PropertyFit,
  nFeatures: number,
  beat: (phase: Record<string, unknown>) => void,
): Promise<void> {
  const set = await propertySet(store, a.campaignId, a.config, a.property);
  if (!set) return;
  const fitted = await fitSurrogates(set, a.features, nFeatures, {
    spec: a.config.surrogate,
    seed: a.seed,
    onProgress: (fraction: number) => beat({ phase: `training ${a.property}`, fraction }),
  });
  const id = `${a.id}~${a.property}`;
  await store.putModel(
    {
      id,
      campaignId: a.campaignId,
      round: a.round,
      kind: a.config.surrogate.kind,
      backend: fitted.backend,
      description: { ...fitted.description, property: a.property },
      metrics: fitted.metrics,
    },
    fitted.model,
  );
  await store.putPredictions(
    a.campaignId,
    id,
    fitted.mean,
    fitted.std,
    a.pool.map((c) => c.idx),
  );
}
