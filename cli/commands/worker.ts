import type { Command } from 'commander';
import { QUEUE_NAMES, type QueueName } from '../../lib/temporal/queues.js';
import { CliError } from '../client.js';
import { positiveInt } from '../options.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker process; many can run on many hosts (Ctrl-C shuts it down gracefully)')
    .option('--queues <list>', 'comma-separated task queues: default (workflows), ml, qm', 'default,ml,qm')
    .option('--qm-concurrency <n>', 'concurrent QM calculations (default: cores)', positiveInt)
    .option('--slots <n>', 'the same as --qm-concurrency', positiveInt)
    .option('--prefix <prefix>', 'task queue prefix (env CASCADE_TASK_QUEUE_PREFIX)')
    .option(
      '--make-current',
      "make this worker's version the one new campaigns start on, once its workers poll every queue the current one's do",
    )
    .option(
      '--build-id <id>',
      'name its version by hand (env CASCADE_BUILD_ID; default: a hash of the workflow code)',
    )
    .action(
      async (o: {
        queues: string;
        qmConcurrency?: number;
        slots?: number;
        prefix?: string;
        makeCurrent?: boolean;
        buildId?: string;
      }) => {
        const queues = o.queues.split(',').map((q) => q.trim()) as QueueName[];
        const unknown = queues.filter((q) => !QUEUE_NAMES.includes(q));
        if (unknown.length)
          throw new CliError(
            `unknown queue(s): ${unknown.join(', ')} (choose from ${QUEUE_NAMES.join(', ')})`,
            2,
          );
        console.error(`cascade worker: queues ${queues.join(', ')}`);
        // loaded here so that light commands do not pay for TensorFlow.js and RDKit
        const { runWorkers } = await import('../../workers/main.js');
        await runWorkers({
          queues,
          prefix: o.prefix,
          qmConcurrency: o.qmConcurrency ?? o.slots,
          makeCurrent: o.makeCurrent,
          buildId: o.buildId,
          // the version it runs, and when it becomes current
          say: (line) => console.error(`cascade worker: ${line}`),
        });
      },
    );
}
