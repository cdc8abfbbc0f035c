/**
 * A cascade worker: polls the chosen task queues (`default` runs workflows and light activities, `ml` trains
 * and screens, `qm` runs the external codes). One process with all three is the embedded default; on a
 * cluster, run one per queue per host with the same code.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/campaign/index.js';
import { setCalculationSlots } from '../activities/campaign/slots.js';
import { prepareEnergy } from '../activities/usage.js';
import { connectSettings } from '../lib/temporal/connection.js';
import { type QueueName, taskQueues } from '../lib/temporal/queues.js';
import { connectStore } from '../store/open.js';
import type { Store } from '../store/store.js';

export interface WorkerOptions {
  queues: QueueName[];
  /** Task queue prefix (`CASCADE_TASK_QUEUE_PREFIX`). */
  prefix?: string;
  /** Concurrent QM calculations, in all of the worker's QM activities together; default: cores (each calculation's threads come from its tier). */
  qmConcurrency?: number;
  mlConcurrency?: number;
  connection?: NativeConnection;
  /** The results store the activities use (default: the one `CASCADE_STORE` / `CASCADE_HOME` names). */
  store?: Store;
}

/** The workflow sources: TypeScript beside this file when run from sources, JavaScript when run from dist/. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export async function createWorkers(
  o: WorkerOptions,
): Promise<{ workers: Worker[]; connection: NativeConnection }> {
  // a mistyped energy setting (CASCADE_PUE, CASCADE_WATTS_PER_CORE, ...) stops the worker before it takes work
  await prepareEnergy();
  const s = connectSettings();
  const connection =
    o.connection ??
    (await NativeConnection.connect({
      address: s.address,
      tls: s.tls as never,
      apiKey: s.apiKey,
      metadata: s.metadata,
    }));
  const queues = taskQueues(o.prefix ?? process.env.CASCADE_TASK_QUEUE_PREFIX ?? '');
  const cores = os.availableParallelism();
  const workers: Worker[] = [];
  // an unreachable store server stops the worker here, before it takes work
  const activities = createActivities({ store: o.store ?? (await connectStore()) });
  for (const q of o.queues) {
    const common = { connection, namespace: s.namespace, taskQueue: queues[q] };
    if (q === 'default') {
      workers.push(
        await Worker.create({
          ...common,
          workflowsPath: workflowsPath(),
          activities: {
            preparePool: activities.preparePool,
            acquireBatch: activities.acquireBatch,
            restoreCampaign: activities.restoreCampaign,
            accountPlatform: activities.accountPlatform,
          },
          maxConcurrentActivityTaskExecutions: 4,
        }),
      );
    } else if (q === 'ml') {
      workers.push(
        await Worker.create({
          ...common,
          activities: {
            trainSurrogate: activities.trainSurrogate,
            accountPlatform: activities.accountPlatform,
          },
          maxConcurrentActivityTaskExecutions: o.mlConcurrency ?? 1,
        }),
      );
    } else {
      // batches run their candidates side by side within these slots (activities/campaign/slots.ts)
      setCalculationSlots(o.qmConcurrency ?? cores);
      workers.push(
        await Worker.create({
          ...common,
          activities: {
            evaluateBatch: activities.evaluateBatch,
            // for campaigns that started before batches
            evaluateCandidate: activities.evaluateCandidate,
            accountPlatform: activities.accountPlatform,
          },
          maxConcurrentActivityTaskExecutions: o.qmConcurrency ?? cores,
        }),
      );
    }
  }
  return { workers, connection };
}

/** Runs until SIGINT/SIGTERM (Temporal's runtime shuts the workers down gracefully on those). */
export async function runWorkers(o: WorkerOptions): Promise<void> {
  const { workers, connection } = await createWorkers(o);
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}
