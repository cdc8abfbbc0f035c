import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.js';
import { progressQuery } from '../../workflows/campaign.js';
import { startCampaign, tinyCampaign } from '../helpers/campaign-env.js';
import { processesIn } from '../helpers/processes.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();
/** This file's processes named `name` (by working directory: other jobs on the machine may run NWChem too). */
const ours = (name: string) =>
  processesIn(env().home)
    .filter((p) => p.comm === name)
    .map((p) => p.pid);

describe('tier ladder', () => {
  it('promotes the best quarter of each xtb batch to NWChem', { timeout: 240_000 }, async () => {
    const config = tinyCampaign('ladder', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 60,
        filters: { maxHeavyAtoms: 5, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 8, kappa: 1 },
      tiers: [
        { code: 'xtb', method: 'gfn2' },
        { code: 'nwchem', method: 'b3lyp', basis: 'STO-3G', promote: { top: 0.25 } },
      ],
      budget: { rounds: 2, callsPerTier: { xtb: 20, nwchem: 10 } },
    });
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    expect(result.calls).toEqual({ xtb: 12, nwchem: 3 }); // 8 then 4 at xtb; top quarter (2, then 1) at NWChem

    const xtb = await openStore().listEvaluations('ladder', 'xtb');
    const dft = await openStore().listEvaluations('ladder', 'nwchem');
    expect(dft).toHaveLength(3);
    // the promoted ones are the round's best at xtb
    for (const round of [0, 1]) {
      const ranked = xtb.filter((e) => e.round === round).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
      const promoted = dft.filter((e) => e.round === round).map((e) => e.idx);
      expect(promoted.sort()).toEqual(
        ranked
          .slice(0, promoted.length)
          .map((e) => e.idx)
          .sort(),
      );
    }
    // the objective comes from the top tier: DFT gaps, and the best is among them
    expect(dft.every((e) => e.status === 'ok' && (e.value ?? 0) > 1)).toBe(true);
    expect(result.best?.value).toBe(Math.max(...dft.map((e) => e.value as number)));
  });

  it('cancelling the campaign kills a running NWChem calculation', { timeout: 240_000 }, async () => {
    const config = tinyCampaign('cancelled', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 30,
        filters: { minHeavyAtoms: 10, maxHeavyAtoms: 14, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'random', batchSize: 2, initialBatch: 2, kappa: 1 },
      // a basis large enough that DFT on a 10-14 heavy-atom molecule takes minutes
      tiers: [
        { code: 'xtb', method: 'gfn2' },
        { code: 'nwchem', method: 'b3lyp', basis: 'cc-pVTZ' },
      ],
      budget: { rounds: 1 },
    });
    const handle = await startCampaign(env(), config, { heartbeatSeconds: 5 });
    const deadline = Date.now() + 120_000;
    while (ours('nwchem').length === 0) {
      if (Date.now() > deadline) throw new Error('NWChem never started');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await handle.query(progressQuery)).batch.tier).toBe('nwchem');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    // the activity learns of the cancellation on its next heartbeat, then kills the process group
    const gone = Date.now() + 30_000;
    while (ours('nwchem').length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(ours('nwchem')).toEqual([]);
    expect(ours('orted')).toEqual([]);
  });
});
