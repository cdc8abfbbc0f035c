import {
  type Client,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Command } from 'commander';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { openStore } from '../../store/open.js';
import { pauseUpdate, resumeUpdate, stopUpdate } from '../../workflows/messages.js';
import { campaignHandle } from '../campaign-handle.js';
import { startCampaignWorkflow } from '../campaign-start.js';
import { CliError, connectClient } from '../client.js';
import { positiveInt, positiveNumber } from '../options.js';
import { watchCampaign } from './status.js';

/** How long pause, resume and stop wait for a worker to answer. */
const ANSWER_WITHIN_MS = 60_000;

export function registerControl(program: Command): void {
  program
    .command('pause')
    .description('pause after the calculations in flight finish')
    .argument('<campaign>')
    .action(async (name: string) => {
      const client = await connectClient();
      const answer = await askRunning(client, name, 'pause', (handle) => handle.executeUpdate(pauseUpdate));
      console.log(`pause requested for "${name}": ${answer}`);
    });
  program
    .command('stop')
    .description('stop gracefully: calculations in flight finish and are recorded, then the campaign ends')
    .argument('<campaign>')
    .option('--reason <text>', 'recorded as the stop reason', 'stopped by user')
    .action(async (name: string, o: { reason: string }) => {
      const client = await connectClient();
      const answer = await askRunning(client, name, 'stop', (handle) =>
        handle.executeUpdate(stopUpdate, { args: [o.reason] }),
      );
      console.log(`stop requested for "${name}": ${answer}`);
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
    .option('--energy-kwh <kwh>', 'more energy, in kWh (calculations, models and platform)', positiveNumber)
    .option('--co2e-kg <kg>', 'more emissions, in kg CO2e', positiveNumber)
    .option('--watch', 'follow progress until the campaign ends')
    .action(
      async (
        name: string,
        o: {
          rounds?: number;
          calls?: number;
          cpuHours?: number;
          energyKwh?: number;
          co2eKg?: number;
          watch?: boolean;
        },
      ) => {
        const client = await connectClient({ autostart: true });
        const workflowId = campaignWorkflowId(name);
        const d = await client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => undefined);
        if (d?.status.name === 'RUNNING') {
          const answer = await ask(client, name, 'resume', () =>
            client.workflow.getHandle(workflowId).executeUpdate(resumeUpdate),
          );
          console.log(`resumed "${name}": ${answer}`);
        } else {
          const stored = await openStore().getCampaign(name);
          if (!stored) throw new CliError(`no stored campaign named "${name}" in ${openStore().location}`);
          await startCampaignWorkflow(client, {
            config: stored.config,
            resume: {
              rounds: o.rounds,
              calls: o.calls,
              cpuHours: o.cpuHours,
              energyKWh: o.energyKwh,
              co2eKg: o.co2eKg,
            },
          });
          console.log(`continuing "${name}" from its stored results (workflow ${workflowId})`);
        }
        if (o.watch) await watchCampaign(client, name, { watch: true });
      },
    );
}

/**
 * Asks a running campaign to pause or stop. A finished, stopped or failed one gets a message saying so (and how
 * to continue it) instead of the server's "workflow execution already completed".
 */
async function askRunning(
  client: Client,
  name: string,
  action: string,
  send: (handle: WorkflowHandle) => Promise<string>,
): Promise<string> {
  const handle = await campaignHandle(client, name);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') throw notRunning(name, action, status.name.toLowerCase());
  return ask(client, name, action, () => send(handle));
}

/** Sends an update and returns the campaign's answer; a refusal ("already paused") is a clean CLI error. */
async function ask(
  client: Client,
  name: string,
  action: string,
  send: () => Promise<string>,
): Promise<string> {
  try {
    return await client.withDeadline(Date.now() + ANSWER_WITHIN_MS, send);
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) {
      throw new CliError(
        `cannot ${action} campaign "${name}": ${(e.cause as Error | undefined)?.message ?? e.message}`,
      );
    }
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new CliError(
        `campaign "${name}" did not answer the ${action} within ${ANSWER_WITHIN_MS / 1000} s: is a worker running? (cascade worker)`,
      );
    }
    // it ended between the check and the update
    if ((e as Error).name === 'WorkflowNotFoundError') throw notRunning(name, action, 'it has just ended');
    throw e;
  }
}

function notRunning(name: string, action: string, how: string): CliError {
  return new CliError(
    `campaign "${name}" is not running (${how}), so there is nothing to ${action}; continue it with: cascade resume ${name}`,
  );
}
