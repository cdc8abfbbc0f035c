/**
 * What every campaign on a pool shares and the bench computes once: the pool's features, as every surrogate's
 * default spec asks (one featurisation, measured, in this thread), and, for objectives or constraints that
 * name it, each molecule's SA score (computed in-process, as a campaign's pool does).
 */

import { saScores } from '../../activities/chem/sa-score.js';
import { featurize } from '../../activities/ml/features.js';
import { measured } from '../../activities/usage.js';
import { CampaignConfig, type SurrogateConfig } from '../../lib/campaign/schema.js';
import type { LabelledPool } from './pool.js';
import type { PoolFeatures } from './replay.js';

export async function featuresOf(pool: LabelledPool, property: string): Promise<PoolFeatures> {
  const spec: SurrogateConfig['features'] = CampaignConfig.parse({
    name: 'features',
    candidates: { source: pool.file },
    objective: { property, direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
  }).surrogate.features;
  const { value, usage } = await measured(() =>
    featurize(
      pool.molecules.map((m) => m.smiles),
      spec,
      { threads: 1 },
    ),
  );
  return { matrix: value.matrix, nFeatures: value.nFeatures, usage };
}

/** Each molecule's SA score by pool index; NaN where RDKit cannot score it. */
export async function saScoresOf(pool: LabelledPool): Promise<Float64Array> {
  const scores = await saScores(pool.molecules.map((m) => m.smiles));
  return Float64Array.from(scores, (s) => s ?? Number.NaN);
}

/** Runs `work` with console.info silenced: each fit's thread announces its TensorFlow backend. */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const info = console.info;
  console.info = () => {};
  try {
    return await work();
  } finally {
    console.info = info;
  }
}
