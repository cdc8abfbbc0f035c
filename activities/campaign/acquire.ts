/** acquireBatch: picks the next candidates from the latest predictions (or at random before any model). */
import { acquire } from '../../lib/acquisition.js';
import { sampleIndices } from '../../lib/random.js';
import { getCampaign } from '../store/campaigns.js';
import { countCandidates } from '../store/candidates.js';
import { openStore } from '../store/db.js';
import { listEvaluations } from '../store/evaluations.js';
import { getPredictions } from '../store/models.js';

export async function acquireBatch(args: {
  campaignId: string;
  round: number;
  modelId?: string;
  size: number;
  seed: number;
}): Promise<number[]> {
  const db = openStore();
  const campaign = getCampaign(db, args.campaignId);
  if (!campaign) throw new Error(`unknown campaign ${args.campaignId}`);
  const { config } = campaign;
  const exclude = new Set(listEvaluations(db, args.campaignId).map((e) => e.idx));
  const n = countCandidates(db, args.campaignId);
  if (args.size <= 0) return [];
  if (!args.modelId || config.acquisition.strategy === 'random') {
    return sampleIndices(n, args.size, args.seed, exclude);
  }
  const preds = getPredictions(db, args.modelId);
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (const p of preds) {
    mean[p.idx] = p.mean;
    std[p.idx] = p.std;
  }
  return acquire({
    mean,
    std,
    exclude,
    strategy: config.acquisition.strategy,
    batchSize: args.size,
    kappa: config.acquisition.kappa,
    direction: config.objective.direction,
    seed: args.seed,
  });
}
