import type { WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { getCampaign } from '../../activities/store/campaigns.js';
import { openStore } from '../../activities/store/db.js';
import { limitsFromConfig } from '../../lib/campaign/stopping.js';
import { campaignWorkflowId, taskQueues } from '../../lib/temporal/queues.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { CampaignWorkflow, pauseSignal, resumeSignal, stopSignal } from '../../workflows/campaign.js';
import { campaignHandle } from '../campaign-handle.js';
import { CliError, connectClient } from '../client.js';
import { positiveInt, positiveNumber } from '../options.js';
import { watchCampaign } from './status.js';

export function registerControl(program: Command): void {
  program
    .command('pause')
    .description('pause after the calculations in flight finish')
    .argument('<campaign>')
    .action(async (name: string) => {
      await signalRunning(name, 'pause', (handle) => handle.signal(pauseSignal));
      console.log(`pause requested for "${name}"`);
    });
  program
    .command('stop')
    .description('stop gracefully: calculations in flight finish and are recorded, then the campaign ends')
    .argument('<campaign>')
    .option('--reason <text>', 'recorded as the stop reason', 'stopped by user')
    .action(async (name: string, o: { reason: string }) => {
      await signalRunning(name, 'stop', (handle) => handle.signal(stopSignal, o.reason));
      console.log(`stop requested for "${name}"`);
    });
  program
    .command('resume')
    .description(
      'resume a paused campaign, or continue a finished/stopped/failed one from its stored results with a new budget',
    )
    .argument('<campaign>')
    .option('--rounds <n>', "more rounds (default: the config's budget.rounds)", positiveInt)
    .option('--calls <n>', "more calls per tier (default: the config's budget.callsPerTier)", positiveInt)
    .option('--cpu-hours <h>', 'more CPU-hours', positiveNumber)
    .option('--watch', 'follow progress until the campaign ends')
    .action(
      async (name: string, o: { rounds?: number; calls?: number; cpuHours?: number; watch?: boolean }) => {
        const client = await connectClient({ autostart: true });
        const workflowId = campaignWorkflowId(name);
        const d = await client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => undefined);
        if (d?.status.name === 'RUNNING') {
          await client.workflow.getHandle(workflowId).signal(resumeSignal);
          console.log(`resumed "${name}"`);
        } else {
          const stored = getCampaign(openStore(), name);
          if (!stored) throw new CliError(`no stored campaign named "${name}" in ${openStore().name}`);
          const queues = taskQueues(process.env.CASCADE_TASK_QUEUE_PREFIX ?? '');
          await client.workflow.start(CampaignWorkflow, {
            workflowId,
            taskQueue: queues.default,
            args: [
              {
                campaignId: name,
                config: stored.config,
                queues,
                limits: limitsFromConfig(stored.config),
                resume: { rounds: o.rounds, calls: o.calls, cpuHours: o.cpuHours },
              },
            ],
            typedSearchAttributes: [{ key: attrs.CAMPAIGN, value: name }],
          });
          console.log(`continuing "${name}" from its stored results (workflow ${workflowId})`);
        }
        if (o.watch) await watchCampaign(client, name, { watch: true });
      },
    );
}

/**
 * Signals a campaign that is running. A finished, stopped or failed one gets a message saying so (and how to
 * continue it) instead of the server's "workflow execution already completed".
 */
async function signalRunning(
  name: string,
  action: string,
  send: (handle: WorkflowHandle) => Promise<void>,
): Promise<void> {
  const handle = await campaignHandle(await connectClient(), name);
  const notRunning = (how: string) =>
    new CliError(
      `campaign "${name}" is not running (${how}), so there is nothing to ${action}; continue it with: cascade resume ${name}`,
    );
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') throw notRunning(status.name.toLowerCase());
  try {
    await send(handle);
  } catch (e) {
    // it ended between the check and the signal
    if ((e as Error).name === 'WorkflowNotFoundError') throw notRunning('it has just ended');
    throw e;
  }
}
