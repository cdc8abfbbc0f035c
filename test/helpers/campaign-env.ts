/** An isolated place for an integration test: its own store, its own task queues, the shared dev server. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { type CampaignStart, startCampaignWorkflow } from '../../cli/campaign-start.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import { taskQueues } from '../../lib/temporal/queues.js';
import { openStore } from '../../store/open.js';

export interface TestEnv {
  home: string;
  prefix: string;
  address: string;
  queues: ReturnType<typeof taskQueues>;
  client: Client;
  env: Record<string, string>;
}

export async function testEnv(): Promise<TestEnv> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-test-'));
  const address = inject('temporalAddress');
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  // activities and the store read these at call time
  process.env.CASCADE_HOME = home;
  process.env.TEMPORAL_ADDRESS = address;
  process.env.CASCADE_TASK_QUEUE_PREFIX = prefix;
  const connection = await Connection.connect({ address });
  return {
    home,
    prefix,
    address,
    queues: taskQueues(prefix),
    client: new Client({ connection }),
    env: { CASCADE_HOME: home, TEMPORAL_ADDRESS: address, CASCADE_TASK_QUEUE_PREFIX: prefix },
  };
}

/** A small real campaign: NCI molecules, one xtb tier, a tiny ensemble. */
export function tinyCampaign(name: string, overrides: Partial<CampaignInput> = {}): CampaignConfig {
  return CampaignConfig.parse({
    name,
    seed: 7,
    candidates: {
      source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
      limit: 100,
      filters: { maxHeavyAtoms: 12, elements: ['C', 'N', 'O'] },
    },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    surrogate: { ensembleSize: 3, hiddenLayers: [32], epochs: 30, features: { morganBits: 512 } },
    acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 6, kappa: 1 },
    tiers: [{ code: 'xtb', method: 'gfn2', timeoutSeconds: 120 }],
    budget: { rounds: 2, callsPerTier: { xtb: 20 } },
    ...overrides,
  });
}

/** Records the campaign in the store and starts its workflow, as `cascade launch` does. */
export async function startCampaign(
  env: TestEnv,
  config: CampaignConfig,
  extra: Omit<CampaignStart, 'config' | 'queues'> = {},
) {
  await openStore().saveCampaign(config.name, config);
  return startCampaignWorkflow(env.client, {
    ...extra,
    workflowId: extra.workflowId ?? `cascade-${config.name}-${env.prefix}`,
    config,
    queues: env.queues,
  });
}
