/**
 * The data-set generator with the real Elk and NWChem on a tiny data set: rows with provenance, a rerun that
 * computes nothing, and files that never lose earlier rows while a run is under way.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../activities/cbs/generate.js';
import { CbsDatasetConfig } from '../../lib/cbs/dataset-config.js';
import type { MoleculeRow, SolidRow } from '../../lib/cbs/rows.js';
import { closeStores, openStore } from '../../store/open.js';

let home: string;
let out: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'cascade-cbs-generate-'));
  process.env.CASCADE_HOME = path.join(home, 'store');
  out = path.join(home, 'data');
});
afterAll(async () => {
  await closeStores();
  rmSync(home, { recursive: true, force: true });
});

const config = (smiles: string[]) =>
  CbsDatasetConfig.parse({
    version: 1,
    concurrency: 2,
    solids: {
      settings: { kpoints: [2, 2, 2], smearingWidth: 0.01, mixing: 'adaptive' },
      ladder: [4],
      reference: 5,
      elements: false,
      timeoutSeconds: 300,
      compounds: { rockSalt: ['LiH'] },
      check: { rgkmax: 6, compounds: ['LiH'] },
    },
    molecules: { ladder: ['cc-pVDZ'], reference: 'cc-pVTZ', optimise: 'none', smiles, timeoutSeconds: 300 },
  });

const rowsOf = <R>(file: string): R[] =>
  readFileSync(path.join(out, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as R);

describe('cbs data-set generator', () => {
  it('computes every rung with provenance, then reuses the rows without computing again', async () => {
    const first: string[] = [];
    const summary = await generateDataset(config(['[H][H]']), {
      outDir: out,
      store: openStore(),
      log: (l) => first.push(l),
    });
    expect(summary).toEqual({ calculations: 5, failed: 0, solids: 1, molecules: 1 });

    const solids = rowsOf<SolidRow>('solids.jsonl');
    expect(solids.map((r) => [r.compound, r.rgkmax, r.role, r.status])).toEqual([
      ['LiH', 4, 'ladder', 'ok'],
      ['LiH', 5, 'reference', 'ok'],
      ['LiH', 6, 'check', 'ok'],
    ]);
    for (const r of solids) {
      expect(r.code).toBe('elk');
      expect(r.codeVersion).toMatch(/\d/);
      expect(r.resultKey).toMatch(/^[0-9a-f]{64}$/);
      expect(r.cpuSeconds).toBeGreaterThan(0);
      expect(r.energyPerAtom).toBeCloseTo((r.energy as number) / 2, 9);
    }
    // the larger basis lowers the all-electron energy
    expect(solids[1]?.energy as number).toBeLessThan(solids[0]?.energy as number);
    expect(solids[2]?.energy as number).toBeLessThan(solids[1]?.energy as number);

    const molecules = rowsOf<MoleculeRow>('molecules.jsonl');
    expect(molecules.map((r) => [r.smiles, r.basis, r.role, r.status])).toEqual([
      ['[H][H]', 'cc-pVDZ', 'ladder', 'ok'],
      ['[H][H]', 'cc-pVTZ', 'reference', 'ok'],
    ]);
    // PBE H2 is near -1.17 Ha
    expect(molecules[1]?.energy as number).toBeGreaterThan(-1.2);
    expect(molecules[1]?.energy as number).toBeLessThan(-1.1);
    expect(rowsOf<{ smiles: string }>('molecule-geometries.jsonl').map((g) => g.smiles)).toEqual(['[H][H]']);

    // a second run in an empty store: everything comes from the files, nothing is computed
    process.env.CASCADE_HOME = path.join(home, 'other-store');
    await closeStores();
    const again: string[] = [];
    await generateDataset(config(['[H][H]']), { outDir: out, store: openStore(), log: (l) => again.push(l) });
    expect(again).toHaveLength(5);
    for (const line of again) expect(line).toContain('from the data set file');
    expect(rowsOf<SolidRow>('solids.jsonl').map((r) => r.resultKey)).toEqual(solids.map((r) => r.resultKey));
  }, 600_000);

  it('keeps the earlier rows in the files while a longer run is under way', async () => {
    const before = [...rowsOf<SolidRow>('solids.jsonl'), ...rowsOf<MoleculeRow>('molecules.jsonl')].map(
      (r) => r.resultKey,
    );
    const stop = new AbortController();
    let seenAtAbort: (string | null)[] | undefined;
    // abort (as Ctrl-C would) after the first molecule, one job at a time: the molecules' reference rows are
    // not reached yet, and the files must still hold them
    await generateDataset(
      { ...config(['[H][H]', '[Li][H]']), concurrency: 1 },
      {
        outDir: out,
        store: openStore(),
        signal: stop.signal,
        log: (line) => {
          if (seenAtAbort || !line.includes('nwchem')) return;
          stop.abort();
          seenAtAbort = [...rowsOf<SolidRow>('solids.jsonl'), ...rowsOf<MoleculeRow>('molecules.jsonl')].map(
            (r) => r.resultKey,
          );
        },
      },
    );
    expect(seenAtAbort).toBeDefined();
    for (const key of before) expect(seenAtAbort).toContain(key);
    // and the finished run holds both molecules
    expect(new Set(rowsOf<MoleculeRow>('molecules.jsonl').map((r) => r.smiles))).toEqual(
      new Set(['[H][H]', '[Li][H]']),
    );
  }, 600_000);
});
