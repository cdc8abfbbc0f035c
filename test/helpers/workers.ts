import { afterAll, beforeAll } from 'vitest';
import { createWorkers } from '../../workers/main.js';
import { type TestEnv, testEnv } from './campaign-env.js';

/** Workers on every queue of `env` (QM concurrency 2), running until the returned function shuts them down. */
async function startWorkers(env: TestEnv): Promise<() => Promise<void>> {
  const { workers } = await createWorkers({
    queues: ['default', 'ml', 'qm'],
    prefix: env.prefix,
    qmConcurrency: 2,
  });
  const running = Promise.all(workers.map((w) => w.run()));
  return async () => {
    for (const w of workers) w.shutdown();
    await running;
  };
}

/**
 * For the calling test file: a test environment with workers running from before its first test to after
 * its last. Returns the environment's accessor (usable once the tests run).
 */
export function environmentWithWorkers(): () => TestEnv {
  let env: TestEnv | undefined;
  let stopWorkers: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    env = await testEnv();
    stopWorkers = await startWorkers(env);
  });
  afterAll(() => stopWorkers?.());
  return () => {
    if (!env) throw new Error('the test environment is not set up yet');
    return env;
  };
}
