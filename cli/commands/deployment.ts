import { hostname } from 'node:os';
import type { Command } from 'commander';
import { connectSettings } from '../../lib/temporal/connection.js';
import {
  deploymentName,
  describeDeployment,
  pinWorkflow,
  setCurrentVersion,
} from '../../lib/temporal/deployment.js';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { CliError, connectClient } from '../client.js';
import { deploymentView, formatDeployment } from '../deployment-view.js';

export function registerDeployment(program: Command): void {
  const deployment = program
    .command('deployment')
    .description(
      "the workers' versions: which one new campaigns start on, and which campaigns each still runs",
    );
  const prefixOf = (o: { prefix?: string }) => o.prefix ?? process.env.CASCADE_TASK_QUEUE_PREFIX ?? '';
  deployment
    .command('status')
    .description(
      'every version, its status (current, draining, drained) and the running campaigns pinned to it',
    )
    .option('--prefix <prefix>', 'task queue prefix (env CASCADE_TASK_QUEUE_PREFIX)')
    .option('--json', 'machine-readable')
    .action(async (o: { prefix?: string; json?: boolean }) => {
      const client = await connectClient();
      const view = await deploymentView(client, connectSettings().namespace, prefixOf(o));
      const name = deploymentName(prefixOf(o));
      if (!view)
        throw new CliError(`no worker of deployment ${name} has polled yet (start one: cascade worker)`, 3);
      console.log(o.json ? JSON.stringify(view) : formatDeployment(view));
    });
  deployment
    .command('current')
    .description(
      'make a version current: new campaigns start on it, running ones finish where they are (also to roll back)',
    )
    .argument('<build-id>', 'as `cascade worker` and `cascade deployment status` print it')
    .option('--prefix <prefix>', 'task queue prefix (env CASCADE_TASK_QUEUE_PREFIX)')
    .action(async (build: string, o: { prefix?: string }) => {
      const client = await connectClient();
      const { namespace } = connectSettings();
      const name = deploymentName(prefixOf(o));
      const before = await describeDeployment(client.workflowService, namespace, name);
      if (!before?.versions.some((v) => v.buildId === build))
        throw new CliError(
          `deployment ${name} has no build ${build}: start its workers first (cascade worker), then make it current`,
        );
      if (before.current === build) {
        console.log(`build ${build} is already current`);
        return;
      }
      try {
        await setCurrentVersion(
          client.workflowService,
          namespace,
          { deploymentName: name, buildId: build },
          {
            identity: `cascade deployment ${process.pid}@${hostname()}`,
            conflictToken: before.conflictToken,
          },
        );
      } catch (e) {
        // e.g. its workers do not poll every queue the current version's do yet
        throw new CliError(`could not make build ${build} current: ${(e as Error).message}`);
      }
      console.log(
        `build ${build} is current: new campaigns start on it${before.current ? `; those on build ${before.current} finish there (keep its workers until \`cascade deployment status\` shows none)` : ''}`,
      );
    });
  deployment
    .command('move')
    .description(
      "move running campaigns to another build (default: the current one), e.g. after an upgrade took their build's workers away; that build must replay their histories",
    )
    .argument('<campaigns...>', 'campaign names')
    .option('--to <build-id>', 'the build to move them to (default: the current one)')
    .option('--prefix <prefix>', 'task queue prefix (env CASCADE_TASK_QUEUE_PREFIX)')
    .action(async (names: string[], o: { to?: string; prefix?: string }) => {
      const client = await connectClient();
      const { namespace } = connectSettings();
      const name = deploymentName(prefixOf(o));
      const state = await describeDeployment(client.workflowService, namespace, name);
      const build = o.to ?? state?.current;
      if (!build) throw new CliError(`deployment ${name} has no current version: name one with --to`);
      if (!state?.versions.some((v) => v.buildId === build))
        throw new CliError(
          `deployment ${name} has no build ${build}: start its workers first (cascade worker)`,
        );
      for (const campaign of names) {
        try {
          await pinWorkflow(
            client.workflowService,
            namespace,
            campaignWorkflowId(campaign),
            { deploymentName: name, buildId: build },
            `cascade deployment ${process.pid}@${hostname()}`,
          );
        } catch (e) {
          throw new CliError(`could not move campaign "${campaign}": ${(e as Error).message}`);
        }
        console.log(`campaign "${campaign}" moved to build ${build}: its next workflow task runs there`);
      }
    });
}
