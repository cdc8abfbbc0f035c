/**
 * A pool is read a batch at a time (activities/pool/read.ts candidateBatches) and stored as it is read
 * (activities/campaign/pool.ts): the batches keep the file's order and lines, a line's problem surfaces when its
 * batch is reached, and preparePool counts the whole file and checks every id even past `limit`. Real RDKit, a
 * real SQLite store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePool } from '../../activities/campaign/pool.js';
import { CandidateFileError, candidateBatches } from '../../activities/pool/read.js';
import { CampaignConfig, Candidates } from '../../lib/campaign/schema.js';
import { closeStores, openStore } from '../../store/open.js';
import type { PoolSummary, Store } from '../../store/store.js';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-pool-stream-'));
  store = openStore(path.join(dir, 'store.db'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function batches(source: string, size: number, extra: Record<string, unknown> = {}) {
  const out: { molecule: string; label: string; line: number }[][] = [];
  for await (const b of candidateBatches(Candidates.parse({ source, ...extra }), size)) out.push(b);
  return out;
}

describe('candidateBatches', () => {
  it('hands out a SMILES file in batches of the size asked, in file order, lines numbered from 1', async () => {
    const source = file(
      'five.smi',
      '# a comment\nCCO ethanol\r\nc1ccccc1\n\nCC(=O)O acetic acid\nN\nO water\n',
    );
    const got = await batches(source, 2);
    expect(got.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(got.flat()).toEqual([
      { molecule: 'CCO', label: 'ethanol', line: 2 },
      { molecule: 'c1ccccc1', label: 'line3', line: 3 },
      { molecule: 'CC(=O)O', label: 'acetic acid', line: 5 },
      { molecule: 'N', label: 'line6', line: 6 },
      { molecule: 'O', label: 'water', line: 7 },
    ]);
  });

  it('reads a CSV larger than the parser takes at once, every row, in order', async () => {
    // ~25 bytes a row: 10,000 rows are several of the parser's 64 KiB slices
    const rows = Array.from({ length: 10_000 }, (_, i) => `C${'C'.repeat(i % 7)}O,id-${i}`);
    const source = file('many.csv', `smiles,id\n${rows.join('\n')}\n`);
    const got = (await batches(source, 4096, { idColumn: 'id' })).flat();
    expect(got).toHaveLength(10_000);
    expect(got[0]).toEqual({ molecule: 'CO', label: 'id-0', line: 2 });
    expect(got[9_999]).toEqual({ molecule: `C${'C'.repeat(9_999 % 7)}O`, label: 'id-9999', line: 10_001 });
  });

  it('a ragged row far into a CSV is an error naming its line, after none or some whole batches before it', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `CCO,m${i}`);
    rows.push('CCO,m50,extra');
    const source = file('ragged.csv', `smiles,id\n${rows.join('\n')}\n`);
    const handed: number[] = [];
    const err = await (async () => {
      for await (const b of candidateBatches(Candidates.parse({ source, idColumn: 'id' }), 10))
        handed.push(b.length);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toMatch(/ragged\.csv:52: 3 fields where the header has 2/);
    // the parser reads ahead of the batches taken: how many came before the error is its business
    expect(handed.every((n) => n === 10) && handed.length <= 5).toBe(true);
  });

  it('an SDF is handed out record by record across batches', async () => {
    const record = (title: string) =>
      `${title}\n  RDKit\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0\nM  END\n$$$$\n`;
    const source = file('three.sdf', record('one') + record('two') + record('three'));
    const got = await batches(source, 2);
    expect(got.map((b) => b.map((r) => [r.label, r.line]))).toEqual([
      [
        ['one', 1],
        ['two', 8],
      ],
      [['three', 15]],
    ]);
  });
});

function campaign(name: string, source: string, limit?: number) {
  return CampaignConfig.parse({
    name,
    candidates: { source, limit },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
  });
}

async function prepare(name: string, source: string, limit?: number): Promise<PoolSummary> {
  const config = campaign(name, source, limit);
  await store.saveCampaign(name, config);
  return (await new MockActivityEnvironment().run(preparePool, store, {
    campaignId: name,
    config,
  })) as PoolSummary;
}

describe('preparePool, streamed', () => {
  it('keeps the first `limit` molecules that pass, and counts the whole file as read', async () => {
    const source = file('limit.smi', 'CCO a\nC1CC bad\nCC b\nOCCO c\nCCN d\nCCCl e\n');
    const summary = await prepare('limit', source, 3);
    expect(summary).toMatchObject({ read: 6, kept: 3 });
    const pool = await store.listCandidates('limit');
    expect(pool.map((c) => [c.idx, c.label])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
  });

  it('drops a molecule seen before, naming where it was first kept', async () => {
    const source = file('dup.smi', 'CCO first\nOCC second\nC third\n');
    const summary = await prepare('dup', source);
    expect(summary.kept).toBe(2);
    expect(summary.rejections?.duplicate?.[0]).toMatchObject({
      line: 2,
      why: 'same molecule as line 1 (first)',
    });
  });

  it('an id used twice past the limit still fails the campaign, and a second run replaces a partial pool', async () => {
    const source = file('twice.smi', 'CCO a\nCC b\nOCCO a\n');
    const err = await prepare('twice', source, 1).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/twice\.smi:3: duplicate id "a" \(first on line 1\)/);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    // the file mended: the pool is prepared again from the start, nothing of the failed run left
    file('twice.smi', 'CCO a\nCC b\nOCCO c\n');
    expect(await prepare('twice', source)).toMatchObject({ read: 3, kept: 3 });
    expect((await store.listCandidates('twice')).map((c) => c.label)).toEqual(['a', 'b', 'c']);
  });
});
