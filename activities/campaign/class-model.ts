/**
 * A class objective's retrain (lib/campaign/class-objective.ts): instead of a surrogate of values, the latent
 * binary-encoding classifier (the failure classifier's training, failure-model.ts) learns which evaluated
 * candidates are hits, and its probability of a hit for every pool candidate is stored as the predictions of the
 * campaign's model `ID` (std 0), which acquisition ranks by. Beside it, as for any campaign: a surrogate per
 * constrained property, and the failure classifier when the campaign has `classifier:` (not for `succeeds`, whose
 * class model is that classifier). No model until `classifier.minFailures` candidates are hits and as many not.
 */
import { classLabels } from '../../lib/campaign/class-objective.js';
import { modelledProperties } from '../../lib/campaign/objectives.js';
import type { ModelSummary, NoModel } from '../../lib/campaign/results.js';
import {
  type CampaignConfig,
  Classifier,
  type ClassifierConfig,
  tierName,
} from '../../lib/campaign/schema.js';
import { sumUsage } from '../../lib/domain/usage.js';
import { copyPool, type PoolMatrix } from '../../lib/surrogate/pool-rows.js';
import type { Store } from '../../store/store.js';
import { measured } from '../usage.js';
import { trainFailureModel, trainLbeModel } from './failure-model.js';
import { campaignFeatures } from './features.js';
import { fitProperty } from './property-model.js';

export interface ClassTrainArgs {
  campaignId: string;
  round: number;
  seed: number;
  /** The campaign's config, with the surrogate settings of this round (features, and what it records). */
  config: CampaignConfig;
}

/** The class model's settings: the campaign's `classifier:`, else its defaults. */
export function classifierOf(config: Pick<CampaignConfig, 'classifier'>): ClassifierConfig {
  return config.classifier ?? Classifier.parse({});
}

export async function trainClassModel(
  store: Store,
  args: ClassTrainArgs,
  beat: (phase: Record<string, unknown>) => void,
): Promise<ModelSummary | NoModel> {
  const { config } = args;
  const settings = classifierOf(config);
  const prepared = await measured(async () => {
    const set = classLabels(
      config.objective,
      await store.listEvaluations(args.campaignId),
      config.tiers.map(tierName),
      settings.minFailures,
    );
    if ('note' in set) return undefined;
    beat({ phase: 'featurizing' });
    // bit-packed rows, row r = pool index r (./features.ts)
    const features = await campaignFeatures(store, args.campaignId, config.surrogate.features, () =>
      beat({ phase: 'featurizing' }),
    );
    return { set, features };
  });
  const where = { campaignId: args.campaignId, round: args.round };
  await store.record({ ...where, activity: 'ml:featurize', usage: prepared.usage });
  if (!prepared.value) return { usage: prepared.usage };
  const { set, features } = prepared.value;
  const pool = Array.from({ length: features.packed.rows }, (_, idx) => ({ idx }));
  const id = `${args.campaignId}-r${args.round}`;
  const properties = modelledProperties(config);
  // the surrogates' fits move their feature matrix away: each gets a copy
  const copies = properties.map(() => copyPool(features.packed));
  const { value: model, usage: fitUsage } = await measured(async () => {
    beat({ phase: 'training the class model' });
    const model = await trainLbeModel(store, {
      campaignId: args.campaignId,
      round: args.round,
      seed: args.seed,
      id,
      labelTier: set.labelTier,
      labels: set.labels,
      counts: { inClass: set.hits },
      classifier: settings,
      surrogate: config.surrogate,
      pool,
      features: features.packed,
      nFeatures: features.nFeatures,
      onProgress: (fraction) => beat({ phase: 'training the class model', fraction }),
    });
    for (const [k, property] of properties.entries()) {
      await fitProperty(
        store,
        { ...args, id, property, pool, features: copies[k] as PoolMatrix },
        features.nFeatures,
        beat,
      );
    }
    if (config.classifier && !config.objective.succeeds) {
      beat({ phase: 'training the failure classifier' });
      await trainFailureModel(store, {
        ...args,
        id,
        classifier: config.classifier,
        surrogate: config.surrogate,
        pool,
        features: features.packed,
        nFeatures: features.nFeatures,
        onProgress: (fraction) => beat({ phase: 'training the failure classifier', fraction }),
      });
    }
    return model;
  });
  await store.record({ ...where, activity: 'ml:train+screen', usage: fitUsage });
  return {
    id,
    backend: model.backend,
    trainedOn: model.trainedOn,
    labelTier: set.labelTier,
    fidelity: 'direct',
    metrics: model.metrics as Record<string, number>,
    usage: sumUsage([prepared.usage, fitUsage]),
  };
}
