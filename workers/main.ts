/**
 * A cascade worker: polls the chosen task queues (`default` runs workflows and light activities, `ml` trains
 * and screens, `qm` runs the external codes). One process with all three is the embedded default; on a
 * cluster, run one per queue per host with the same code.
 *
 * Every worker runs as a version of the deployment (lib/temporal/deployment.ts): its build id is a hash of
 * the workflow code (workers/build-id.ts), and campaigns are PINNED to the version whose worker ran their
 * first workflow task, continue-as-new included. So a worker built from other workflow code never replays a
 * running campaign's history. Their activities are pinned too: the server sends the activities of a pinned
 * campaign to the workers of its version on the `ml` and `qm` queues, so a version's workers of every queue
 * stay up until its campaigns finish (`cascade deployment status` shows which still run). Activity-only
 * changes keep the build id, and their workers serve the same campaigns as the old ones.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerDeploymentOptions } from '@temporalio/worker';
import { createActivities } from '../activities/campaign/index.js';
import { setCalculationSlots } from '../activities/campaign/slots.js';
import { prepareEnergy } from '../activities/usage.js';
import { connectSettings } from '../lib/temporal/connection.js';
import { deploymentName, type WorkerVersion } from '../lib/temporal/deployment.js';
import { type QueueName, taskQueues } from '../lib/temporal/queues.js';
import { connectStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { buildId } from './build-id.js';
import {
  type CurrentPolicy,
  claimAtStart,
  type StartOutcome,
  type VersionContext,
  watchCurrent,
} from './current-version.js';

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
  /** The version's build id (default: `CASCADE_BUILD_ID`, else the hash of the workflow code). */
  buildId?: string;
  /** Make this version current as soon as the server accepts (`cascade worker --make-current`). */
  makeCurrent?: boolean;
  /** Where the workers say which version they run and when it becomes current (the CLI prints it). */
  say?: (line: string) => void;
}

export interface Workers {
  workers: Worker[];
  connection: NativeConnection;
  version: WorkerVersion;
  /** Whether the version was current when the workers were created; the current build otherwise. */
  atStart: StartOutcome;
  /** True once the version is current (at start, or later: see workers/current-version.ts); false if it stopped first. */
  current: Promise<boolean>;
}

/** The workflow sources: TypeScript beside this file when run from sources, JavaScript when run from dist/. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export async function createWorkers(o: WorkerOptions): Promise<Workers> {
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
  const prefix = o.prefix ?? process.env.CASCADE_TASK_QUEUE_PREFIX ?? '';
  const queues = taskQueues(prefix);
  const version: WorkerVersion = {
    deploymentName: deploymentName(prefix),
    buildId: o.buildId ?? buildId(workflowsPath()),
  };
  const workerDeploymentOptions: WorkerDeploymentOptions = {
    version,
    useWorkerVersioning: true,
    // a campaign finishes on the version it started on (activity-only workers need a value too)
    defaultVersioningBehavior: 'PINNED',
  };
  const cores = os.availableParallelism();
  const workers: Worker[] = [];
  // an unreachable store server stops the worker here, before it takes work
  const activities = createActivities({ store: o.store ?? (await connectStore()) });
  for (const q of o.queues) {
    const common = { connection, namespace: s.namespace, taskQueue: queues[q], workerDeploymentOptions };
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
  const say = o.say ?? (() => undefined);
  const context: VersionContext = {
    service: connection.workflowService,
    namespace: s.namespace,
    version,
    workflowQueue: queues.default,
    say,
  };
  const policy: CurrentPolicy = o.makeCurrent ? 'always' : o.queues.includes('default') ? 'auto' : 'never';
  // after the workers exist (the workflow bundle built), so that a version made current has workers to come
  const atStart = await claimAtStart(context, policy);
  say(
    `deployment ${version.deploymentName}, build ${version.buildId}: ${startLine(atStart, policy, version)}`,
  );
  const stopped = () => workers.every((w) => !['INITIALIZED', 'RUNNING'].includes(w.getState()));
  const current = atStart.current ? Promise.resolve(true) : watchCurrent(context, policy, stopped);
  return { workers, connection, version, atStart, current };
}

function startLine(at: StartOutcome, policy: CurrentPolicy, v: WorkerVersion): string {
  if (at.made) return 'current, made so by this worker: the deployment had no current version';
  if (at.current) return 'current (new campaigns start on it)';
  const on = at.other ? `new campaigns start on build ${at.other}` : 'no version is current yet';
  if (policy === 'always') return `not current yet (${on}); it will be once the server accepts it`;
  return `not current (${on}); it runs the campaigns pinned to it alone; make it current with: cascade deployment current ${v.buildId}`;
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
