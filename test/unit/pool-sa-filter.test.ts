/**
 * `candidates.filters.maxSAScore`: the filter's decision on a score, and preparePool dropping the molecules whose
 * SA score (activities/chem/sa-score.ts, RDKit's sascorer.py) is above it, with the real RDKit module, the real
 * fragment table and a real SQLite store. Scores quoted are sascorer.py's, to 3 decimals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePool, synthesisProblem } from '../../activities/campaign/pool.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { closeStores, openStore } from '../../store/open.js';
import type { PoolSummary, Store } from '../../store/store.js';

describe('synthesisProblem', () => {
  it('keeps a score at or below the limit and drops one above it, with the score in the detail', () => {
    expect(synthesisProblem(1, 5)).toBeUndefined();
    expect(synthesisProblem(5, 5)).toBeUndefined();
    expect(synthesisProblem(6.3, 5)).toEqual({ reason: 'hard to synthesise', detail: 'SA score 6.3 > 5' });
    expect(synthesisProblem(3.706, 3.5)).toEqual({
      reason: 'hard to synthesise',
      detail: 'SA score 3.7 > 3.5',
    });
  });

  it('never shows a score that rounds to the limit as if it were above it', () => {
    expect(synthesisProblem(5.0004, 5)?.detail).toBe('SA score 5.000 > 5');
    expect(synthesisProblem(5.04, 5)?.detail).toBe('SA score 5.040 > 5');
  });

  it('drops a molecule the SA score could not be computed for', () => {
    expect(synthesisProblem(null, 10)?.reason).toBe('no SA score');
  });
});

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-sa-filter-'));
  store = openStore(path.join(dir, 'store.db'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

function campaign(name: string, source: string, filters: Record<string, unknown>, limit?: number) {
  return CampaignConfig.parse({
    name,
    candidates: { source, filters, limit },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
  });
}

// sascorer.py: 1.980, 1.000, 1.515, 3.169 (cubane), 3.706 (adamantanol), 3.809, 2.174
const MOLECULES = [
  'CCO ethanol',
  'c1ccccc1 benzene',
  'CC(=O)O acetic',
  'C12C3C4C1C5C2C3C45 cubane',
  'OC1C2CC3CC1CC(C2)C3 adamantanol',
  'C1CC2CCC1(C)C2 bicyclic',
  'CCN ethylamine',
  '[NH4+] ammonium',
];

async function prepare(id: string, filters: Record<string, unknown>, limit?: number): Promise<PoolSummary> {
  const source = path.join(dir, `${id}.smi`);
  writeFileSync(source, `${MOLECULES.join('\n')}\n`);
  const config = campaign(id, source, filters, limit);
  await store.saveCampaign(id, config);
  return (await new MockActivityEnvironment().run(preparePool, store, {
    campaignId: id,
    config,
  })) as PoolSummary;
}

describe('preparePool with filters.maxSAScore', () => {
  it('drops the molecules scored above the limit, after the cheap filters, each with its line and score', {
    timeout: 60_000,
  }, async () => {
    const summary = await prepare('hard', { maxSAScore: 3.5 });
    expect(summary).toMatchObject({
      read: 8,
      kept: 5,
      rejected: { 'hard to synthesise': 2, charged: 1 },
      rejections: {
        'hard to synthesise': [
          { line: 5, label: 'adamantanol', why: 'SA score 3.7 > 3.5' },
          { line: 6, label: 'bicyclic', why: 'SA score 3.8 > 3.5' },
        ],
      },
    });
    const kept = await store.listCandidates('hard');
    expect(kept.map((c) => c.label)).toEqual(['ethanol', 'benzene', 'acetic', 'cubane', 'ethylamine']);
    // the score is kept with each candidate (payload_json), as sascorer.py gives it
    const scores = kept.map((c) => (c.kind === 'molecule' ? c.saScore : undefined));
    expect(scores.map((s) => s?.toFixed(3))).toEqual(['1.980', '1.000', '1.515', '3.169', '2.174']);
  });

  it('applies candidates.limit to the molecules that pass it', { timeout: 60_000 }, async () => {
    const summary = await prepare('limited', { maxSAScore: 3.5 }, 5);
    expect(summary.kept).toBe(5);
    expect((await store.listCandidates('limited')).at(-1)?.label).toBe('ethylamine');
  });

  it('drops nothing for synthesis when the filter is unset', { timeout: 60_000 }, async () => {
    const summary = await prepare('unset', {});
    expect(summary.kept).toBe(7);
    expect(summary.rejected).toEqual({ charged: 1 });
    const kept = await store.listCandidates('unset');
    expect(kept.every((c) => c.kind === 'molecule' && c.saScore === undefined)).toBe(true);
  });
});
