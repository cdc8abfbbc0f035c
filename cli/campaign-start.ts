/**
 * How a campaign's workflow is started, in one place: its id, task queue, input, search attributes, the
 * summary the Web UI shows, and what happens when the id is taken. `cascade launch`, `cascade resume` (of a
 * closed campaign), the integration tests and the benches all start campaigns through here.
 */
import {
  type Client,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Limits } from '../lib/campaign/progress.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import { limitsFromConfig } from '../lib/campaign/stopping.js';
import { campaignWorkflowId, type TaskQueues, taskQueues } from '../lib/temporal/queues.js';
import * as attrs from '../lib/temporal/search-attributes.js';
import { CampaignWorkflow, type CampaignWorkflowInput } from '../workflows/campaign.js';

export interface CampaignStart {
  config: CampaignConfig;
  /** Default: the campaign's own id (`cascade-<name>`); tests on a shared server add their prefix. */
  workflowId?: string;
  /** Default: from `CASCADE_TASK_QUEUE_PREFIX`. */
  queues?: TaskQueues;
  /** Default: the config's budget. */
  limits?: Limits;
  heartbeatSeconds?: number;
  roundsPerRun?: number;
  /** `cascade resume` of a closed campaign: rebuild from the store and add this budget. */
  resume?: CampaignWorkflowInput['resume'];
}

/** The queues of this deployment: `CASCADE_TASK_QUEUE_PREFIX` keeps deployments (and test runs) apart. */
export function deploymentQueues(): TaskQueues {
  return taskQueues(process.env.CASCADE_TASK_QUEUE_PREFIX ?? '');
}

/** The options `client.workflow.start(CampaignWorkflow, ...)` takes for a campaign. */
export function campaignStartOptions(s: CampaignStart): WorkflowStartOptions<typeof CampaignWorkflow> {
  const { config } = s;
  const queues = s.queues ?? deploymentQueues();
  const input: CampaignWorkflowInput = {
    campaignId: config.name,
    config,
    queues,
    limits: s.limits ?? limitsFromConfig(config),
    ...(s.heartbeatSeconds !== undefined ? { heartbeatSeconds: s.heartbeatSeconds } : {}),
    ...(s.roundsPerRun !== undefined ? { roundsPerRun: s.roundsPerRun } : {}),
    ...(s.resume ? { resume: s.resume } : {}),
  };
  return {
    workflowId: s.workflowId ?? campaignWorkflowId(config.name),
    taskQueue: queues.default,
    args: [input],
    typedSearchAttributes: [{ key: attrs.CAMPAIGN, value: config.name }],
    // a closed campaign's id may start again (resume, launch --restart); a running one is never started twice:
    // the start fails with WorkflowExecutionAlreadyStartedError, and launch attaches instead
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    // shown in the Web UI's workflow page
    staticSummary: summary(config),
    ...(s.resume ? { staticDetails: `continued from its stored results with ${budgetText(s.resume)}` } : {}),
  };
}

/** Starts the campaign's workflow; throws WorkflowExecutionAlreadyStartedError while it is running. */
export function startCampaignWorkflow(client: Client, s: CampaignStart) {
  return client.workflow.start(CampaignWorkflow, campaignStartOptions(s));
}

function summary(config: CampaignConfig): string {
  const { direction, property } = config.objective;
  return `cascade campaign ${config.name}: ${direction} ${property} with ${config.tiers.map((t) => t.code).join(' → ')}`;
}

function budgetText(r: NonNullable<CampaignWorkflowInput['resume']>): string {
  const parts = [
    r.rounds !== undefined ? `${r.rounds} more rounds` : undefined,
    r.calls !== undefined ? `${r.calls} more calls per tier` : undefined,
    r.cpuHours !== undefined ? `${r.cpuHours} more CPU-hours` : undefined,
    r.energyKWh !== undefined ? `${r.energyKWh} more kWh` : undefined,
    r.co2eKg !== undefined ? `${r.co2eKg} more kg CO2e` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : "the config's budget again";
}
