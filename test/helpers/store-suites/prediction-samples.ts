/** The store keeps a model's ensemble members' predictions as blobs, one row per model, for Thompson sampling. */
import { describe, expect, it } from 'vitest';
import { CampaignConfig } from '../../../lib/campaign/schema.js';
import { modelDescriptionFrom } from '../../../lib/surrogate/model.js';
import type { StoreBackend } from '../store-backends.js';

export function predictionSamplesSuite(backend: StoreBackend): void {
  const config = CampaignConfig.parse({
    name: 's',
    candidates: { source: 'mols.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
  });
  const model = (id: string, round: number) => ({
    id,
    campaignId: 's',
    round,
    kind: 'mlp-ensemble',
    backend: 'cpu',
    description: modelDescriptionFrom({
      kind: 'mlp-ensemble',
      settings: config.surrogate,
      trainedOn: 4,
      nFeatures: 8,
    }),
    metrics: {},
  });

  describe('prediction samples in the store', () => {
    it('round-trips members exactly, drops older models’ and a reset’s', async () => {
      const store = await backend.open();
      await store.saveCampaign('s', config);
      await store.putModel(model('s-r1', 1), new Uint8Array());
      const members = [Float32Array.of(1.5, -2.25, 3), Float32Array.of(0.1, 0.2, 0.3)];
      await store.putPredictionSamples('s', 's-r1', members, [4, 0, 9]);
      const back = await store.getPredictionSamples('s-r1');
      expect([...(back?.indices ?? [])]).toEqual([4, 0, 9]);
      expect(back?.members.map((m) => [...m])).toEqual(members.map((m) => [...m]));

      await store.putModel(model('s-r2', 2), new Uint8Array());
      await store.putPredictionSamples('s', 's-r2', [Float32Array.of(7)], [1]);
      expect(await store.getPredictionSamples('s-r1')).toBeUndefined();
      expect((await store.getPredictionSamples('s-r2'))?.members).toHaveLength(1);

      await expect(store.putPredictionSamples('s', 's-r2', [Float32Array.of(1, 2)], [1])).rejects.toThrow(
        /member 0 has 2 predictions for 1 candidates/,
      );
      await store.resetCampaign('s');
      expect(await store.getPredictionSamples('s-r2')).toBeUndefined();
    });
  });
}
