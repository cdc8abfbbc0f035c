/**
 * How a worker's version becomes the deployment's current one (lib/temporal/deployment.ts has the rule):
 *
 * - `auto` (a worker of the `default` queue): at start, when the deployment has no current version, it makes
 *   itself current before it polls, so that `make demo` and the tests need no step and a campaign launched
 *   meanwhile waits for it on the queue. When another version is current but its workflow workers are gone
 *   (the previous code's worker was stopped), it takes over once it sees that; while that version's workers
 *   live, it never does: it runs beside them and waits to be made current.
 * - `always` (`cascade worker --make-current`): it makes itself current as soon as the server accepts, which
 *   is once its workers poll every task queue the current version's workers poll.
 * - `never` (workers of the `ml` and `qm` queues alone): they serve their version's campaigns, current or not.
 */
import { hostname } from 'node:os';
import type { WorkflowService } from '@temporalio/client';
import {
  type DeploymentState,
  describeDeployment,
  LIVE_POLLER_MS,
  liveBuilds,
  setCurrentVersion,
  takeOver,
  type WorkerVersion,
} from '../lib/temporal/deployment.js';

export type CurrentPolicy = 'auto' | 'always' | 'never';

export interface VersionContext {
  service: WorkflowService;
  namespace: string;
  version: WorkerVersion;
  /** The task queue of the campaign workflows: whose pollers show whether a version's workers live. */
  workflowQueue: string;
  /** Where a worker says what it did (the CLI prints it). */
  say: (line: string) => void;
}

export interface StartOutcome {
  /** Whether this version is current once the worker starts polling. */
  current: boolean;
  /** This worker made it current: the deployment had no current version. */
  made?: boolean;
  /** The current version's build id, when it is another. */
  other?: string;
}

const identity = () => `cascade worker ${process.pid}@${hostname()}`;

/** Before the workers poll: makes the version current when the deployment has none (policy auto or always). */
export async function claimAtStart(c: VersionContext, policy: CurrentPolicy): Promise<StartOutcome> {
  for (let attempt = 0; ; attempt++) {
    const state = await describeDeployment(c.service, c.namespace, c.version.deploymentName);
    if (state?.current === c.version.buildId) return { current: true };
    if (state?.current || policy === 'never') return { current: false, other: state?.current };
    try {
      await setCurrentVersion(c.service, c.namespace, c.version, {
        identity: identity(),
        conflictToken: state?.conflictToken,
        allowNoPollers: true,
      });
      return { current: true, made: true };
    } catch (e) {
      // another worker changed the deployment meanwhile (a stale conflict token): look again
      if (attempt >= 3) throw e;
    }
  }
}

/**
 * While the workers run and the version is not current: `always` retries making it current; `auto` takes over
 * from a current version whose workflow workers are gone. Resolves when the version is current (by this or by
 * anyone), or when `stopped()` says the workers have stopped. Never rejects: a failure is said and retried.
 */
export async function watchCurrent(
  c: VersionContext,
  policy: CurrentPolicy,
  stopped: () => boolean,
  intervalMs = policy === 'always' ? 2_000 : 15_000,
): Promise<boolean> {
  if (policy === 'never') return false;
  let said = '';
  const sayOnce = (line: string) => {
    if (line !== said) c.say(line);
    said = line;
  };
  // the first look once the server has registered the workers' polls (a second or two), then every interval
  for (let wait = Math.min(intervalMs, 3_000); !stopped(); wait = intervalMs) {
    await pause(wait);
    if (stopped()) break;
    try {
      const state = await describeDeployment(c.service, c.namespace, c.version.deploymentName);
      const decision =
        policy === 'always'
          ? state?.current === c.version.buildId
            ? 'mine'
            : 'take'
          : takeOver(state, c.version.buildId, await liveBuilds(c.service, c.namespace, c.workflowQueue));
      if (decision === 'mine') return true;
      if (decision === 'leave') continue;
      await setCurrentVersion(c.service, c.namespace, c.version, {
        identity: identity(),
        conflictToken: state?.conflictToken,
      });
      c.say(`made build ${c.version.buildId} current${why(state, policy)}`);
      return true;
    } catch (e) {
      if (stopped()) break;
      sayOnce(`build ${c.version.buildId} is not current yet: ${(e as Error).message}`);
    }
  }
  return false;
}

function why(state: DeploymentState | undefined, policy: CurrentPolicy): string {
  if (policy === 'always' || !state?.current) return '';
  return ` (build ${state.current} had no workflow worker polling for ${LIVE_POLLER_MS / 1000} s; its campaigns stay pinned to it)`;
}

/** A timer that does not keep the process alive. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
