/**
 * One bad molecule costs one molecule (issue 16, case 1): the real RDKit module, a real 800-carbon chain among
 * valid molecules, through preparePool in this process, with a real SQLite store. Before the guard, RDKit aborted
 * on the chain ("memory access out of bounds"), the error was swallowed, and every later molecule was dropped as
 * "unparseable"; a 600-700 carbon chain made get_smiles loop forever.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePool } from '../../activities/campaign/pool.js';
import {
  describeMolecule,
  inspectMolecule,
  loadRDKit,
  MAX_ATOMS,
  RDKitAborted,
  rdkitRestarts,
  sizeProblem,
  withMol,
} from '../../activities/chem/rdkit.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { closeStores, openStore } from '../../store/open.js';
import type { PoolSummary, Store } from '../../store/store.js';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-rdkit-'));
  store = openStore(path.join(dir, 'store.db'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

const VALID = ['CCO', 'c1ccccc1', 'CC(=O)O', 'CCN', 'CC#N', 'OCCO', 'CCCl', 'C1CCCCC1', 'CC(C)O', 'COC'];

function campaign(name: string, source: string) {
  return CampaignConfig.parse({
    name,
    candidates: { source, filters: { maxHeavyAtoms: 30 } },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
  });
}

describe('the size guard', () => {
  it('counts atoms on the text, bracket atoms and two-letter elements included', () => {
    expect(sizeProblem('C'.repeat(MAX_ATOMS))).toBeUndefined();
    expect(sizeProblem('C'.repeat(800))).toBe(`800 atoms (limit ${MAX_ATOMS})`);
    expect(sizeProblem('[CH2]'.repeat(301))).toBe(`301 atoms (limit ${MAX_ATOMS})`);
    expect(sizeProblem('ClBr'.repeat(151))).toBe(`302 atoms (limit ${MAX_ATOMS})`);
    expect(sizeProblem('c1ccccc1'.repeat(51))).toBe(`306 atoms (limit ${MAX_ATOMS})`);
    expect(sizeProblem('('.repeat(5000))).toMatch(/^5000 characters of SMILES \(limit \d+\)$/);
  });

  it("reads a molblock's atom count from its counts line", () => {
    const molblock = `title\n  prog\n\n801800  0  0  0  0  0  0  0  0999 V2000\nM  END`;
    expect(sizeProblem(molblock)).toBe(`801 atoms (limit ${MAX_ATOMS})`);
  });
});

describe('inspectMolecule', () => {
  it('says why RDKit refused a SMILES, in its own words without the echo', async () => {
    expect(await inspectMolecule('C1CC')).toEqual({
      ok: false,
      reason: 'unparseable',
      detail: 'unclosed ring',
    });
    expect(await inspectMolecule('CN(C)(C)(C)C')).toMatchObject({
      reason: 'unparseable',
      detail: expect.stringMatching(/^Explicit valence for atom # 1 N, 5/),
    });
    expect(await inspectMolecule('c1cccc1')).toMatchObject({ detail: expect.stringMatching(/kekulize/) });
    expect(await inspectMolecule('  ')).toEqual({ ok: false, reason: 'empty', detail: 'no SMILES' });
    expect(await inspectMolecule('C'.repeat(800))).toEqual({
      ok: false,
      reason: 'too large',
      detail: `800 atoms (limit ${MAX_ATOMS})`,
    });
    expect(await inspectMolecule('OCC')).toMatchObject({ ok: true, molecule: { canonical: 'CCO' } });
  });

  it('a molecule that aborts the module is rejected as such, and the next one gets a new module', async () => {
    // the guard lifted, so that a real 2000-carbon chain reaches RDKit and traps in get_smiles
    const before = rdkitRestarts();
    const crashed = await inspectMolecule('C'.repeat(2000), { maxAtoms: Number.POSITIVE_INFINITY });
    expect(crashed).toEqual({
      ok: false,
      reason: 'rdkit crashed',
      detail: 'memory access out of bounds; RDKit restarted',
    });
    expect(rdkitRestarts()).toBe(before + 1);
    for (const s of VALID) expect((await inspectMolecule(s)).ok, s).toBe(true);
    expect(rdkitRestarts()).toBe(before + 1);
  });

  it('withMol throws RDKitAborted instead of returning null for ever after', async () => {
    const rdkit = await loadRDKit();
    const before = rdkitRestarts();
    expect(withMol(rdkit, 'C'.repeat(2000), (m) => m.get_smiles())).toBeNull(); // the guard: no crash
    expect(rdkitRestarts()).toBe(before);
    // a real trap inside the callback: RDKit itself, past the guard
    expect(() => withMol(rdkit, 'CCO', () => rdkit.get_mol('C'.repeat(2000))?.get_smiles())).toThrow(
      RDKitAborted,
    );
    expect(rdkitRestarts()).toBe(before + 1);
    expect(await describeMolecule('CCO')).toMatchObject({ canonical: 'CCO' });
    const fresh = await loadRDKit();
    expect(fresh).not.toBe(rdkit);
    expect(withMol(fresh, 'c1ccccc1', (m) => m.get_num_atoms())).toBe(6);
  });
});

describe('preparePool with an 800-carbon chain on line 6 of 11', () => {
  it('keeps every valid molecule, rejects the chain with its line and reason, and the next pool parses normally', {
    timeout: 60_000,
  }, async () => {
    const lines = VALID.map((s, i) => `${s} mol${i + 1}`);
    lines.splice(5, 0, `${'C'.repeat(800)} chain800`);
    const source = path.join(dir, 'poisoned.smi');
    writeFileSync(source, `${lines.join('\n')}\n`);
    const env = new MockActivityEnvironment();
    await store.saveCampaign('poisoned', campaign('poisoned', source));
    const summary = await env.run(preparePool, store, {
      campaignId: 'poisoned',
      config: campaign('poisoned', source),
    });
    expect(summary).toMatchObject({
      read: 11,
      kept: 10,
      rejected: { 'too large': 1 },
      rejections: { 'too large': [{ line: 6, label: 'chain800', why: `800 atoms (limit ${MAX_ATOMS})` }] },
    });
    const kept = await store.listCandidates('poisoned');
    expect(kept.map((c) => c.label)).toEqual(VALID.map((_, i) => `mol${i + 1}`));
    expect((await store.getCampaign('poisoned'))?.pool?.rejections?.['too large']?.[0]?.line).toBe(6);

    // a second campaign in the same process: its pool parses as if nothing had happened
    const second = path.join(dir, 'second.smi');
    writeFileSync(second, `${VALID.map((s, i) => `${s} next${i + 1}`).join('\n')}\nC1CC broken\n`);
    await store.saveCampaign('second', campaign('second', second));
    const again = await env.run(preparePool, store, {
      campaignId: 'second',
      config: campaign('second', second),
    });
    expect(again).toMatchObject({
      read: 11,
      kept: 10,
      rejected: { unparseable: 1 },
      rejections: { unparseable: [{ line: 11, label: 'broken', why: 'unclosed ring' }] },
    });
  });

  it('names the first rejections of each filter with what was wrong', async () => {
    const source = path.join(dir, 'filters.smi');
    writeFileSync(
      source,
      [
        'CCO ethanol',
        'OCC ethanol-again',
        '[Na+].[Cl-] salt',
        'CC[NH3+] ammonium',
        'CCBr bromo',
        'C1CC ring',
      ].join('\n'),
    );
    const config = CampaignConfig.parse({
      ...campaign('filters', source),
      candidates: { source, filters: { elements: ['C', 'N', 'O'] } },
    });
    await store.saveCampaign('filters', config);
    const s: PoolSummary = await new MockActivityEnvironment().run(preparePool, store, {
      campaignId: 'filters',
      config,
    });
    expect(s.kept).toBe(1);
    expect(s.rejections).toEqual({
      duplicate: [{ line: 2, label: 'ethanol-again', why: 'same molecule as line 1 (ethanol)' }],
      'several fragments': [{ line: 3, label: 'salt', why: '2 fragments' }],
      charged: [{ line: 4, label: 'ammonium', why: 'net charge +1' }],
      'element not allowed': [{ line: 5, label: 'bromo', why: 'Br not allowed' }],
      unparseable: [{ line: 6, label: 'ring', why: 'unclosed ring' }],
    });
  });
});
