/**
 * cascade's Worker Deployment: every worker runs as a version (`<prefix>cascade` + a build id, see
 * workers/build-id.ts) with worker versioning on, and campaigns are PINNED: a campaign's workflow tasks, and the
 * activities it schedules on queues its version polls, go only to workers of the version it started on, however
 * many other versions poll beside them. New campaigns start on the deployment's current version.
 *
 * These helpers read and change the deployment through a `WorkflowService` the caller brings (the worker's
 * NativeConnection or the CLI's Connection): what a worker does with them is workers/current-version.ts.
 */
import type { WorkflowService } from '@temporalio/client';

export const DEPLOYMENT = 'cascade';

/** One deployment per task-queue prefix, as the queues are: test runs and deployments on one namespace stay apart. */
export function deploymentName(prefix = ''): string {
  return `${prefix}${DEPLOYMENT}`;
}

export interface WorkerVersion {
  deploymentName: string;
  buildId: string;
}

/** The server's WorkerDeploymentVersionStatus, by its enum number. */
const STATUSES = ['unknown', 'inactive', 'current', 'ramping', 'draining', 'drained', 'created'] as const;
export type VersionStatus = (typeof STATUSES)[number];

export interface VersionState {
  buildId: string;
  /**
   * current: new campaigns start here; draining: campaigns still pinned here; drained: none left; inactive:
   * never current; created: made current (or created) before any of its workers polled.
   */
  status: VersionStatus;
  createdAt?: Date;
}

export interface DeploymentState {
  name: string;
  /** The current version's build id; none before any version was made current. */
  current?: string;
  versions: VersionState[];
  /** Passed back to a change so that it fails when someone else changed the deployment meanwhile. */
  conflictToken?: Uint8Array;
}

const NOT_FOUND = 5;

/** The deployment as the server sees it; undefined before any of its workers polled (or a version was set). */
export async function describeDeployment(
  service: WorkflowService,
  namespace: string,
  name: string,
): Promise<DeploymentState | undefined> {
  try {
    const r = await service.describeWorkerDeployment({ namespace, deploymentName: name });
    const info = r.workerDeploymentInfo;
    const current = info?.routingConfig?.currentDeploymentVersion?.buildId || undefined;
    return {
      name,
      current,
      versions: (info?.versionSummaries ?? []).map((v) => ({
        buildId: v.deploymentVersion?.buildId ?? '',
        status: STATUSES[v.status ?? 0] ?? 'unknown',
        createdAt: v.createTime?.seconds ? new Date(Number(v.createTime.seconds) * 1000) : undefined,
      })),
      conflictToken: r.conflictToken ?? undefined,
    };
  } catch (e) {
    if ((e as { code?: number }).code === NOT_FOUND) return undefined;
    throw e;
  }
}

export interface SetCurrentOptions {
  /** Who changed it, as the Web UI and `temporal worker deployment describe` show. */
  identity: string;
  conflictToken?: Uint8Array;
  /**
   * Set it before its workers poll (a worker making itself the first current version, so that no campaign
   * launched meanwhile waits). Otherwise the server refuses a version without workers, and one whose workers
   * do not poll every task queue the current version's do.
   */
  allowNoPollers?: boolean;
}

/**
 * Pins a running workflow to `version` from its next workflow task on (its activities follow): for a campaign
 * whose version's workers are gone (an upgrade on one machine, a retired build). The version's code must replay
 * the campaign's history, as every change to workflows/ must (`patched()`, test/integration/replay.test.ts).
 */
export async function pinWorkflow(
  service: WorkflowService,
  namespace: string,
  workflowId: string,
  version: WorkerVersion,
  identity: string,
): Promise<void> {
  await service.updateWorkflowExecutionOptions({
    namespace,
    workflowExecution: { workflowId },
    identity,
    // PINNED_OVERRIDE_BEHAVIOR_PINNED
    workflowExecutionOptions: { versioningOverride: { pinned: { behavior: 1, version } } },
    updateMask: { paths: ['versioning_override'] },
  });
}

/** Makes `version` current: campaigns started from now on run on it; running ones stay where they are. */
export async function setCurrentVersion(
  service: WorkflowService,
  namespace: string,
  version: WorkerVersion,
  o: SetCurrentOptions,
): Promise<void> {
  await service.setWorkerDeploymentCurrentVersion({
    namespace,
    deploymentName: version.deploymentName,
    buildId: version.buildId,
    identity: o.identity,
    conflictToken: o.conflictToken,
    allowNoPollers: o.allowNoPollers ?? false,
  });
}

/**
 * A poller's last access is refreshed at each long poll, which the server holds for up to about a minute: a
 * poller not seen for longer than this has stopped.
 */
export const LIVE_POLLER_MS = 90_000;

/** The build ids with a worker polling `taskQueue` for workflow tasks within LIVE_POLLER_MS of `now`. */
export async function liveBuilds(
  service: WorkflowService,
  namespace: string,
  taskQueue: string,
  now = Date.now(),
): Promise<Set<string>> {
  const r = await service.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // workflow tasks
    reportPollers: true,
  });
  const live = new Set<string>();
  for (const p of r.pollers ?? []) {
    const seen = Number(p.lastAccessTime?.seconds ?? 0) * 1000;
    const build = p.deploymentOptions?.buildId;
    if (build && now - seen <= LIVE_POLLER_MS) live.add(build);
  }
  return live;
}

/**
 * Whether a worker of build `mine` makes itself current without being asked: when the deployment has no
 * current version, or when the current one has no live workflow worker left (its campaigns stay pinned to it
 * and wait for its workers; only new campaigns go to the new version). A current version with live workers is
 * never replaced but by an operator (`cascade deployment current BUILD`, `cascade worker --make-current`).
 */
export function takeOver(
  state: DeploymentState | undefined,
  mine: string,
  live: ReadonlySet<string>,
): 'mine' | 'take' | 'leave' {
  if (state?.current === mine) return 'mine';
  if (!state?.current) return 'take';
  return live.has(state.current) ? 'leave' : 'take';
}

/** The `TemporalWorkerDeploymentVersion` search attribute: `<deployment>:<build id>` of a pinned campaign. */
export const VERSION_ATTRIBUTE = 'TemporalWorkerDeploymentVersion';

/** The build id in a `TemporalWorkerDeploymentVersion` value, when it belongs to `deployment`. */
export function buildOf(attribute: unknown, deployment: string): string | undefined {
  const value = Array.isArray(attribute) ? attribute[0] : attribute;
  if (typeof value !== 'string' || !value.startsWith(`${deployment}:`)) return undefined;
  return value.slice(deployment.length + 1);
}
