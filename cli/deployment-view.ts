/**
 * The deployment's versions and the running campaigns pinned to each, for `cascade deployment status`: during
 * a roll-out it says when the old version's workers may stop (no campaign left on it).
 */
import type { Client } from '@temporalio/client';
import {
  buildOf,
  type DeploymentState,
  deploymentName,
  describeDeployment,
  VERSION_ATTRIBUTE,
} from '../lib/temporal/deployment.js';
import { taskQueues } from '../lib/temporal/queues.js';
import * as attrs from '../lib/temporal/search-attributes.js';

export interface DeploymentView extends Omit<DeploymentState, 'conflictToken'> {
  /** Running campaigns by the build they are pinned to; `''` for those no worker has started yet. */
  campaigns: Record<string, string[]>;
}

/** The deployment of the task-queue prefix `prefix`; undefined before any of its workers polled. */
export async function deploymentView(
  client: Client,
  namespace: string,
  prefix: string,
): Promise<DeploymentView | undefined> {
  const name = deploymentName(prefix);
  const state = await describeDeployment(client.workflowService, namespace, name);
  if (!state) return undefined;
  const campaigns: Record<string, string[]> = {};
  // this deployment's campaigns: those on its queue (other prefixes share the namespace)
  const query = `WorkflowType = 'CampaignWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueues(prefix).default}'`;
  for await (const w of client.workflow.list({ query })) {
    const build = buildOf(w.searchAttributes[VERSION_ATTRIBUTE], name);
    const campaign = w.typedSearchAttributes.get(attrs.CAMPAIGN) ?? w.workflowId;
    const key = build ?? '';
    campaigns[key] = [...(campaigns[key] ?? []), campaign];
  }
  const { conflictToken: _, ...rest } = state;
  return { ...rest, campaigns };
}

export function formatDeployment(v: DeploymentView): string {
  const lines = [
    `deployment ${v.name}: ${v.current ? `current build ${v.current}` : 'no current version'}`,
    `  ${'build'.padEnd(14)} ${'status'.padEnd(9)} ${'created'.padEnd(19)}  running campaigns`,
  ];
  for (const version of v.versions) {
    const running = v.campaigns[version.buildId] ?? [];
    lines.push(
      [
        `  ${version.buildId.padEnd(14)}`,
        version.status.padEnd(9),
        (version.createdAt?.toISOString().slice(0, 19).replace('T', ' ') ?? '-').padEnd(19),
        ` ${running.length}${running.length ? ` (${running.join(', ')})` : ''}`,
      ].join(' '),
    );
  }
  const waiting = v.campaigns[''] ?? [];
  if (waiting.length)
    lines.push(`  not started on any version yet: ${waiting.length} (${waiting.join(', ')})`);
  return lines.join('\n');
}
