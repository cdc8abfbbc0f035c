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
    .option('--prefix <prefix>', 'task queue prefix (env CASCADE_TASK_QUEUE_PREFIX)')
    .action(async (o: { queues: string; qmConcurrency?: number; prefix?: string }) => {
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
        qmConcurrency: o.qmConcurrency,
      });
    });
}
