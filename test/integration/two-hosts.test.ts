/**
 * A campaign on two "hosts": an `ml` worker (workflows, light activities, training) and a `qm` worker that share
 * nothing but Temporal and a PostgreSQL store (each its own CASCADE_HOME). It finishes with the results the same
 * campaign gets on SQLite with one worker; SIGKILL of the `qm` worker mid-batch loses nothing and computes again
 * at most the calculations that were running; no host's CASCADE_HOME holds a store.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { closeStores, connectStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { startCampaign, type TestEnv, testEnv, tinyCampaign } from '../helpers/campaign-env.js';
import { usePostgres } from '../helpers/postgres.js';
import { until, WorkerProcesses } from '../helpers/worker-process.js';

const postgres = usePostgres();
const hosts: WorkerProcesses[] = [];
afterAll(async () => {
  for (const h of hosts) h.stopAll();
  await closeStores();
});

/** A worker process with its own CASCADE_HOME (a host of its own) and the given store, and that home. */
function worker(
  env: TestEnv,
  store: string,
  args: string[],
): { child: ChildProcess; home: string; host: WorkerProcesses } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-host-'));
  const host = new WorkerProcesses(
    { ...env, env: { ...env.env, CASCADE_HOME: home, CASCADE_STORE: store } },
    args,
  );
  hosts.push(host);
  return { child: host.start(), home, host };
}

const config = (name: string): CampaignConfig =>
  tinyCampaign(name, {
    // 12 candidates go out in batches of 2, two at a time: a kill finds some finished and some running
    acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 12, kappa: 1 },
    budget: { rounds: 2, callsPerTier: { xtb: 16 } },
  });

/** What a campaign found: each evaluated candidate's value by index. */
async function outcome(store: Store, name: string): Promise<Record<number, number | undefined>> {
  const evals = await store.listEvaluations(name, 'xtb');
  return Object.fromEntries(evals.map((e) => [e.idx, e.value]));
}

describe('a campaign on two hosts sharing a PostgreSQL store', () => {
  it('finishes as on SQLite, and a qm worker SIGKILLed mid-batch loses nothing', {
    timeout: 420_000,
  }, async () => {
    const env = await testEnv();
    // the reference: SQLite in this test's CASCADE_HOME, one worker on every queue
    const sqlite = path.join(env.home, 'reference.db');
    process.env.CASCADE_STORE = sqlite;
    const single = worker(env, sqlite, ['--qm-concurrency', '2']);
    const reference = await (
      await startCampaign(env, config('on-sqlite'), { workflowId: `on-sqlite-${env.prefix}` })
    ).result();
    single.child.kill('SIGKILL');
    const expected = await outcome(await connectStore(sqlite), 'on-sqlite');
    expect(Object.keys(expected)).toHaveLength(16);

    const url = await postgres.database();
    process.env.CASCADE_STORE = url;
    const store = await connectStore(url);
    const ml = worker(env, url, ['--queues', 'default,ml']);
    let qm = worker(env, url, ['--queues', 'qm', '--slots', '2']);
    const handle = await startCampaign(env, config('on-two-hosts'), {
      workflowId: `on-two-hosts-${env.prefix}`,
      heartbeatSeconds: 4,
    });
    await until(
      async () => {
        const ex = await store.listExecutions();
        return ex.filter((e) => e.status === 'ok').length >= 2 && ex.some((e) => e.status === 'running');
      },
      180_000,
      'xtb calculations on the qm host',
    );
    await qm.host.kill(qm.child);
    const atKill = await store.listExecutions();
    const finished = new Set(atKill.filter((e) => e.status === 'ok').map((e) => e.key));
    const running = new Set(atKill.filter((e) => e.status === 'running').map((e) => e.key));
    qm = worker(env, url, ['--queues', 'qm', '--slots', '2']);
    console.info(`qm host killed with ${finished.size} calculations finished and ${running.size} running`);
    const result = await handle.result();

    expect(result.status).toBe('finished');
    expect(result.calls.xtb).toBe(reference.calls.xtb);
    expect(await outcome(store, 'on-two-hosts')).toEqual(expected);
    expect(result.best?.value).toBeCloseTo(reference.best?.value as number, 10);
    // every calculation finished once; the only ones that ran twice were running at the kill
    const all = await store.listExecutions();
    const ok = all.filter((e) => e.status === 'ok');
    expect(ok).toHaveLength(16);
    expect(new Set(ok.map((e) => e.key)).size).toBe(16);
    for (const e of all.filter((x) => x.status !== 'ok')) {
      expect(e.status).toBe('worker-died');
      expect(running.has(e.key)).toBe(true);
    }
    for (const key of finished) expect(all.filter((e) => e.key === key)).toHaveLength(1);
    // the hosts kept no store of their own; the qm hosts kept their work directories
    for (const host of [ml, qm]) expect(existsSync(path.join(host.home, 'cascade.db'))).toBe(false);
    expect(existsSync(path.join(qm.home, 'work'))).toBe(true);
  });
});
