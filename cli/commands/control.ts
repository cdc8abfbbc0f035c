import type { Command } from 'commander';
import { getCampaign } from '../../activities/store/campaigns.js';
import { openStore } from '../../activities/store/db.js';
import { limitsFromConfig } from '../../lib/campaign/stopping.js';
import { campaignWorkflowId, taskQueues } from '../../lib/temporal/queues.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { CampaignWorkflow, pauseSignal, resumeSignal, stopSignal } from '../../workflows/campaign.js';
import { campaignHandle } from '../campaign-handle.js';
import { CliError, connectClient } from '../client.js';
import { watchCampaign } from './status.js';

export function registerControl(program: Command): void {
  program
    .command('pause')
    .description('pause after the calculations in flight finish')
    .argument('<campaign>')
    .action(async (name: string) => {
      const handle = await campaignHandle(await connectClient(), name);
      await handle.signal(pauseSignal);
      console.log(`pause requested for "${name}"`);
    });
  program
    .command('stop')
    .description('stop gracefully: calculations in flight finish and are recorded, then the campaign ends')
    .argument('<campaign>')
    .option('--reason <text>', 'recorded as the stop reason', 'stopped by user')
    .action(async (name: string, o: { reason: string }) => {
      const handle = await campaignHandle(await connectClient(), name);
      await handle.signal(stopSignal, o.reason);
      console.log(`stop requested for "${name}"`);
    });
  program
    .command('resume')
    .description(
      'resume a paused campaign, or continue a finished/stopped/failed one from its stored results with a new budget',
    )
    .argument('<campaign>')
    .option('--rounds <n>', "more rounds (default: the config's budget.rounds)")
    .option('--calls <n>', "more calls per tier (default: the config's budget.callsPerTier)")
    .option('--cpu-hours <h>', 'more CPU-hours')
    .option('--watch', 'follow progress until the campaign ends')
    .action(
      async (name: string, o: { rounds?: string; calls?: string; cpuHours?: string; watch?: boolean }) => {
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
          const num = (v?: string) => (v === undefined ? undefined : Number(v));
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
                resume: { rounds: num(o.rounds), calls: num(o.calls), cpuHours: num(o.cpuHours) },
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
