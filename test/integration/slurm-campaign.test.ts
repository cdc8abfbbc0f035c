/**
 * A campaign whose NWChem tier runs through a real single-node Slurm (test/helpers/slurm.ts): it finishes with
 * its calculations run as batch jobs and their figures in the ledger (from the jobs' own reports: the test cluster
 * has no slurmdbd); cancelling a campaign while its job runs leaves no job in squeue.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.js';
import { startCampaign, tinyCampaign } from '../helpers/campaign-env.js';
import { activeJobs, useSlurm } from '../helpers/slurm.js';
import { environmentWithWorkers } from '../helpers/workers.js';

// the cluster first: it is stopped after the workers (after-hooks run in reverse), whose jobs it must see end
const slurm = useSlurm();
const env = environmentWithWorkers();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a campaign with a Slurm tier', () => {
  it("finishes, each NWChem calculation a batch job, the jobs' figures in the ledger", {
    timeout: 180_000,
  }, async () => {
    const config = tinyCampaign('slurm-dft', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 20,
        filters: { maxHeavyAtoms: 3, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'random', batchSize: 2, initialBatch: 3, kappa: 1 },
      tiers: [
        {
          code: 'nwchem',
          name: 'dft',
          method: 'b3lyp',
          basis: 'STO-3G',
          timeoutSeconds: 300,
          slurm: { partition: slurm().partition, pollSeconds: 0.5 },
        },
      ],
      budget: { rounds: 1, callsPerTier: { dft: 3 } },
    });
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    expect(result.calls).toEqual({ dft: 3 });

    const store = openStore();
    const evaluations = await store.listEvaluations('slurm-dft', 'dft');
    expect(evaluations.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
    const jobs = [];
    for (const e of evaluations) {
      const record = await store.getQmResult(e.resultKey as string);
      expect(record?.code).toBe('nwchem');
      jobs.push(record?.provenance?.slurm as { jobId: string; state: string; figuresFrom: string });
    }
    expect(jobs.map((j) => [j.state, j.figuresFrom])).toEqual(Array(3).fill(['COMPLETED', 'job-report']));
    // Slurm knows them as cascade's jobs, all finished
    const { stdout } = await slurm().command('squeue', [
      '--noheader',
      '--states=all',
      `--jobs=${jobs.map((j) => j.jobId).join(',')}`,
      '--format=%j %T',
    ]);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^cascade-[0-9a-f]{16} /, '')),
    ).toEqual(Array(3).fill('COMPLETED'));

    const ledger = (await store.ledgerTotals('slurm-dft')).find((l) => l.activity === 'qm:dft');
    expect(ledger).toMatchObject({ calls: 3, energyMethods: ['model'] });
    expect(ledger?.cpuSeconds).toBeGreaterThan(0);
    expect(ledger?.energyJoules).toBeGreaterThan(0);
    expect(ledger?.hardware?.every((h) => h.startsWith(`Slurm node ${slurm().node}, modelled as `))).toBe(
      true,
    );
    expect(await activeJobs(slurm())).toEqual([]);
  });

  it('cancelling the campaign while its job runs leaves no job in squeue', { timeout: 180_000 }, async () => {
    const config = tinyCampaign('slurm-cancelled', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 30,
        filters: { minHeavyAtoms: 10, maxHeavyAtoms: 14, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'random', batchSize: 2, initialBatch: 2, kappa: 1 },
      // a basis large enough that DFT on a 10-14 heavy-atom molecule takes minutes
      tiers: [{ code: 'nwchem', method: 'b3lyp', basis: 'cc-pVTZ', slurm: { pollSeconds: 0.5 } }],
      budget: { rounds: 1 },
    });
    const handle = await startCampaign(env(), config, { heartbeatSeconds: 5 });
    const deadline = Date.now() + 120_000;
    while (!(await activeJobs(slurm())).some((j) => j.endsWith(' RUNNING'))) {
      if (Date.now() > deadline) throw new Error('no Slurm job ever ran');
      await sleep(200);
    }
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    // the activity learns of the cancellation on its next heartbeat, then cancels its jobs with scancel
    const gone = Date.now() + 30_000;
    while ((await activeJobs(slurm())).length > 0 && Date.now() < gone) await sleep(200);
    expect(await activeJobs(slurm())).toEqual([]);
    // and the calculations saw their jobs end: their executions ended as killed (nothing recorded, retried later)
    const running = async () =>
      (await openStore().listExecutions({})).filter((e) => e.code === 'nwchem' && e.status === 'running');
    while ((await running()).length > 0 && Date.now() < gone) await sleep(200);
    expect(await running()).toEqual([]);
    const killed = (await openStore().listExecutions({})).filter((e) => e.status === 'killed');
    expect(killed.length).toBeGreaterThan(0);
  });
});
