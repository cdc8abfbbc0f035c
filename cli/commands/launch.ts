import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { openStore } from '../../store/open.js';
import { readCampaignFile } from '../campaign-file.js';
import { startCampaignWorkflow } from '../campaign-start.js';
import { CliError, connectClient } from '../client.js';
import { positiveNumber } from '../options.js';
import { webUiUrl } from '../report-data.js';
import { watchCampaign } from './status.js';
import { checkPool } from './validate.js';

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description(
      'start a campaign, or re-attach to it if it is already running (the workflow id comes from its name)',
    )
    .argument('<file>', 'campaign YAML')
    .option('--watch', 'follow progress until the campaign ends')
    .option(
      '--restart',
      'start a campaign that already ran afresh (its QM results stay cached and are reused)',
    )
    .option(
      '--heartbeat <seconds>',
      'seconds without a heartbeat before a QM calculation is retried on another worker',
      positiveNumber,
      30,
    )
    .action(async (file: string, o: { watch?: boolean; restart?: boolean; heartbeat: number }) => {
      const config = readCampaignFile(file);
      const check = await checkPool(config);
      const client = await connectClient({ autostart: true });
      const workflowId = campaignWorkflowId(config.name);
      const existing = await client.workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      const closed = existing && existing.status.name !== 'RUNNING';
      const store = openStore();
      if (closed && o.restart) {
        await store.resetCampaign(config.name);
      } else if (closed) {
        throw new CliError(
          `campaign "${config.name}" already ran (${existing.status.name.toLowerCase()}); continue it with: cascade resume ${config.name} [--rounds N]`,
        );
      }
      // saved before the start, so that the worker finds it; forgotten again if the start fails
      const before = await store.getCampaign(config.name);
      if (!existing || closed) await store.saveCampaign(config.name, config, file);
      try {
        await startCampaignWorkflow(client, { config, file, heartbeatSeconds: o.heartbeat });
        console.log(`launched campaign "${config.name}" (workflow ${workflowId})`);
        console.log(check);
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) {
          console.log(`campaign "${config.name}" is already running: attached (workflow ${workflowId})`);
        } else {
          if (!before) await store.deleteCampaign(config.name);
          else if (!existing || closed)
            await store.saveCampaign(config.name, before.config, before.configFile);
          throw new CliError(`could not start campaign "${config.name}": ${(e as Error).message}`);
        }
      }
      console.log(`Web UI: ${webUiUrl(config.name)}`);
      if (o.watch) await watchCampaign(client, config.name, { watch: true });
    });
}
