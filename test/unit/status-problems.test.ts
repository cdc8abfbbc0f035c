/** `cascade status`'s read of what went wrong: failed evaluations by class, from a real SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemsView } from '../../cli/commands/status.js';
import { formatFailures } from '../../cli/format.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { closeStores, openStore } from '../../store/open.js';
import type { EvaluationRecord, Store } from '../../store/store.js';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-status-'));
  store = openStore(path.join(dir, 'store.db'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

async function failedResult(key: string, kind: string): Promise<void> {
  const id = await store.startExecution(key, 'xtb', 'here');
  await store.finishExecution(id, kind, {
    key,
    code: 'xtb',
    codeVersion: '6.5.1',
    method: 'gfn2',
    settings: {},
    geometryHash: key,
    status: 'failed',
    failure: { kind, message: `${kind} happened`, retryable: false },
    provenance: {},
  });
}

describe('problemsView', () => {
  it('groups failed evaluations by the failure class of their calculation, per tier', async () => {
    const config = CampaignConfig.parse({
      name: 'troubled',
      candidates: { source: 'mols.smi' },
      objective: { property: 'homoLumoGap', direction: 'maximize' },
      tiers: [{ code: 'xtb' }],
    });
    await store.saveCampaign('troubled', config);
    await store.setPoolSummary('troubled', {
      source: 'mols.smi',
      read: 3,
      kept: 2,
      rejected: { unparseable: 1 },
      rejections: { unparseable: [{ line: 2, label: 'x', why: 'unclosed ring' }] },
    });
    const base = { tier: 'xtb', round: 1, cached: false, cpuSeconds: 1, wallSeconds: 1 } as const;
    const evaluations: EvaluationRecord[] = [
      { ...base, idx: 0, status: 'ok', value: 3.2, resultKey: 'ok-0' },
      { ...base, idx: 1, status: 'failed', resultKey: 'k1', message: 'SCF did not converge' },
      { ...base, idx: 2, status: 'failed', resultKey: 'k2', message: 'SCF did not converge' },
      { ...base, idx: 3, status: 'failed', resultKey: 'k3', message: 'SCF did not converge' },
      { ...base, idx: 4, status: 'failed', resultKey: 'k4', message: 'exceeded its time limit' },
      { ...base, idx: 5, status: 'failed', message: '3D embedding failed: no 3D coordinates' },
    ];
    for (const k of ['k1', 'k2', 'k3']) await failedResult(k, 'scf-not-converged');
    await failedResult('k4', 'timeout');
    for (const e of evaluations) await store.putEvaluation('troubled', e);

    const view = await problemsView(store, 'troubled');
    expect(view.pool?.rejections?.unparseable).toEqual([{ line: 2, label: 'x', why: 'unclosed ring' }]);
    expect(formatFailures(view.failures)).toBe('failures  xtb: scf-not-converged 3, embedding 1, timeout 1');
  });

  it('knows nothing of a campaign the store does not have', async () => {
    expect(await problemsView(store, 'nobody')).toEqual({ failures: [] });
  });
});
