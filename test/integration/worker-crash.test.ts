/**
 * Resume after a crash: SIGKILL the worker process mid-campaign, start a new one, and the campaign completes
 * without any finished xtb calculation running a second time. Then `cascade resume` extends the budget.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { openStore } from '../../store/open.js';
import { startCampaign, type TestEnv, testEnv, tinyCampaign } from '../helpers/campaign-env.js';
import { cascade } from '../helpers/cascade-cli.js';

const root = path.resolve(import.meta.dirname, '../..');
let env: TestEnv;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/cascade.js'), 'worker', '--qm-concurrency', '2'],
    {
      env: { ...process.env, ...env.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

const cli = (args: string[]) => cascade(args, env.env);

const executions = () => openStore().listExecutions();

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await testEnv();
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('crash and resume', () => {
  it('survives SIGKILL of its worker and never reruns a finished calculation', {
    timeout: 240_000,
  }, async () => {
    const config = tinyCampaign('crash', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 100,
        filters: { maxHeavyAtoms: 20, minHeavyAtoms: 10 },
      },
      // 16 candidates go out in 8 batches of 2: a batch can be killed with one of its two finished
      acquisition: { strategy: 'ucb', batchSize: 6, initialBatch: 16, kappa: 1 },
      budget: { rounds: 2, callsPerTier: { xtb: 30 } },
    });
    const first = startWorker();
    const handle = await startCampaign(env, config, {
      workflowId: campaignWorkflowId(config.name),
      heartbeatSeconds: 4,
    });

    // kill it while calculations are running and some have finished
    await until(
      async () => {
        const ex = await executions();
        return ex.filter((e) => e.status === 'ok').length >= 3 && ex.some((e) => e.status === 'running');
      },
      120_000,
      'xtb calculations to be under way',
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const finishedBeforeCrash = new Set(
      (await executions()).filter((e) => e.status === 'ok').map((e) => e.key),
    );
    expect(finishedBeforeCrash.size).toBeGreaterThanOrEqual(3);

    startWorker();
    const result = await handle.result();
    expect(result.round).toBe(2);
    expect(result.calls.xtb).toBe(22);

    const all = await executions();
    const okPerKey = new Map<string, number>();
    for (const e of all) if (e.status === 'ok') okPerKey.set(e.key, (okPerKey.get(e.key) ?? 0) + 1);
    // no finished calculation ran again, and every candidate has exactly one finished run
    for (const key of finishedBeforeCrash) {
      expect(all.filter((e) => e.key === key)).toHaveLength(1);
    }
    expect([...okPerKey.values()].every((n) => n === 1)).toBe(true);
    expect(okPerKey.size).toBe(22);
    expect(await openStore().listEvaluations('crash')).toHaveLength(22);
    // every calculation ran once in this campaign, so none is a cache hit that cost nothing, and the CPU the
    // workflow counted is the ledger's, also for the candidates a killed batch finished after its last heartbeat
    expect((await openStore().listEvaluations('crash')).filter((e) => e.cached)).toEqual([]);
    const ledger = await openStore().campaignTotals('crash');
    expect(result.cpuSeconds).toBeCloseTo(ledger.cpuSeconds, 6);

    // cascade resume: continue the finished campaign from the store with one more round
    const resumed = await cli(['resume', 'crash', '--rounds', '1']);
    expect(resumed.code, resumed.out).toBe(0);
    const after = await env.client.workflow.getHandle(campaignWorkflowId('crash')).result();
    expect(after.round).toBe(3);
    expect(after.calls.xtb).toBe(28);
    expect(await openStore().listEvaluations('crash')).toHaveLength(28);
    // the first 22 results were not recomputed
    expect((await executions()).filter((e) => e.status === 'ok')).toHaveLength(28);
  });
});
