/**
 * How a campaign's workflow is started, in one place: its id, task queue, input, search attributes, the
 * summary the Web UI shows, and what happens when the id is taken. `cascade launch`, `cascade resume` (of a
 * closed campaign), the integration tests and the benches all start campaigns through here.
 */
import { readFileSync } from 'node:fs';
import {
  type Client,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowStartOptions,
} from '@temporalio/client';
import YAML from 'yaml';
import { tierLabel } from '../lib/campaign/activity-summaries.js';
import { classText, isClassObjective } from '../lib/campaign/class-objective.js';
import { objectivesOf } from '../lib/campaign/objectives.js';
import type { Limits } from '../lib/campaign/progress.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import { limitsFromConfig } from '../lib/campaign/stopping.js';
import { campaignWorkflowId, type TaskQueues, taskQueues } from '../lib/temporal/queues.js';
import * as attrs from '../lib/temporal/search-attributes.js';
import { CampaignWorkflow, type CampaignWorkflowInput } from '../workflows/campaign.js';

export interface CampaignStart {
  config: CampaignConfig;
  /** The campaign file it was read from: its text goes into the Web UI's static details as written. */
  file?: string;
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
    staticDetails: staticDetails(config, s.file, s.resume),
  };
}

/** Starts the campaign's workflow; throws WorkflowExecutionAlreadyStartedError while it is running. */
export function startCampaignWorkflow(client: Client, s: CampaignStart) {
  return client.workflow.start(CampaignWorkflow, campaignStartOptions(s));
}

/** The static details' cap: the campaign file is a page of settings, the start request carries it. */
export const MAX_STATIC_DETAILS = 20 * 1024;

/** One line: the campaign, what it optimises, its tiers. */
export function summary(config: CampaignConfig): string {
  const goals = isClassObjective(config.objective)
    ? [`find ${classText(config.objective)}`]
    : objectivesOf(config).map((o) => `${o.direction} ${o.property}`);
  return `cascade campaign ${config.name}: ${goals.join(', ')} with ${config.tiers.map(tierLabel).join(' → ')}`;
}

/**
 * Markdown for the Web UI: the campaign file in a fenced YAML block (the file as written when launched from
 * one, else the config as parsed, defaults included), and how a resumed campaign was continued.
 */
export function staticDetails(
  config: CampaignConfig,
  file?: string,
  resume?: CampaignWorkflowInput['resume'],
): string {
  const written = file === undefined ? undefined : readable(file);
  const heading = written !== undefined ? `**Campaign file** \`${file}\`` : '**Campaign** (as parsed)';
  const resumed = resume
    ? `**Resumed**: continued from its stored results with ${budgetText(resume)}\n\n`
    : '';
  const room = MAX_STATIC_DETAILS - resumed.length - heading.length - 200;
  const text = cut(written ?? YAML.stringify(config), room);
  // a fence longer than any run of backticks in the file, so the file cannot close it
  const ticks = Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1));
  const fence = '`'.repeat(ticks);
  return `${resumed}${heading}\n\n${fence}yaml\n${text.trimEnd()}\n${fence}\n`;
}

function readable(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // moved since it was read: the parsed config stands in
  }
}

/** At most `room` characters, on a line boundary, saying how much was left out. */
function cut(text: string, room: number): string {
  if (text.length <= room) return text;
  const kept = text.slice(0, text.lastIndexOf('\n', room - 80) + 1);
  return `${kept}# ... cut here: ${text.length - kept.length} of ${text.length} characters not shown\n`;
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
