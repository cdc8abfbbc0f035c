/**
 * The ledger accounts for everything: a real campaign on a real worker process, whose lines (every activity, and
 * the platform's own) must add up to the CPU time /proc says the worker and its launcher used, within 5%. Each
 * in-process activity measured with the process's own counter would count concurrent work twice (four
 * embeddings side by side), and platform CPU left out would make the sum fall short: either fails this test.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../store/open.js';
import { startCampaign, type TestEnv, testEnv, tinyCampaign } from '../helpers/campaign-env.js';
import { until, WorkerProcesses } from '../helpers/worker-process.js';

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime+stime, seconds */
  own: number;
  /** utime+stime+cutime+cstime, seconds */
  all: number;
  startTime: string;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const t = (i: number) => Number(f[i]) / 100;
  return {
    pid,
    ppid: Number(f[1]),
    comm,
    own: t(11) + t(12),
    all: t(11) + t(12) + t(13) + t(14),
    startTime: f[19] as string,
  };
}

function processes(): Stat[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => stat(Number(n)) ?? []);
}

function argv(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

let env: TestEnv;
let workers: WorkerProcesses;

beforeAll(async () => {
  env = await testEnv();
  // the shared dev server, named in this test's CASCADE_HOME as `cascade server start` names its own
  const port = inject('temporalAddress').split(':').pop() as string;
  const server = processes().find((p) => {
    const a = argv(p.pid);
    return a.includes('start-dev') && a.includes(port);
  });
  if (!server) throw new Error(`no dev server on port ${port}`);
  writeFileSync(
    `${env.home}/temporal.pid`,
    JSON.stringify({ pid: server.pid, startTime: server.startTime, binary: argv(server.pid)[0] }),
  );
  workers = new WorkerProcesses(env);
});

afterAll(() => workers?.stopAll());

describe('the ledger', () => {
  it('adds up to the CPU time the worker and its launcher used, platform included', async () => {
    const child = workers.start();
    const pid = child.pid as number;
    // ready once it polls every queue
    await until(
      async () => {
        for (const q of Object.values(env.queues)) {
          const r = await env.client.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: q },
            taskQueueType: q === env.queues.default ? 1 : 2,
          });
          if ((r.pollers ?? []).length === 0) return false;
        }
        return true;
      },
      60_000,
      'the worker polls its queues',
    );
    const before = stat(pid) as Stat;
    const config = tinyCampaign('ledger-sum', { budget: { rounds: 2, callsPerTier: { xtb: 14 } } });
    const handle = await startCampaign(env, config);
    await handle.result();
    const after = stat(pid) as Stat;
    const launcher = processes().find((p) => p.ppid === pid && p.comm.startsWith('cascade-launch'));
    expect(launcher, 'the worker started its launcher').toBeDefined();
    // the launcher started with the campaign's first calculation: all its CPU (its own, and the codes it reaped)
    const used = after.own - before.own + (launcher as Stat).all;

    const lines = await openStore().ledgerTotals(config.name);
    const activities = lines.map((l) => l.activity);
    for (const a of ['pool:prepare', 'ml:featurize', 'ml:train+screen', 'acquire', 'geometry', 'qm:xtb']) {
      expect(activities, a).toContain(a);
    }
    expect(activities).toContain('platform:worker');
    expect(activities, 'the dev server named in CASCADE_HOME').toContain('platform:temporal');
    const ledger = lines
      .filter((l) => l.activity !== 'platform:temporal')
      .reduce((sum, l) => sum + l.cpuSeconds, 0);
    expect(used).toBeGreaterThan(1);
    expect(Math.abs(ledger - used) / used, `ledger ${ledger} s, /proc ${used} s`).toBeLessThan(0.05);
  }, 300_000);
});
