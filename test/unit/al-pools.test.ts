/**
 * The labelled pools of data/al: the committed files parse and agree with their README, and a few molecules
 * picked at random are computed again for real (a fresh store, so nothing comes from a cache) through the same
 * code path, selection included, giving the same gaps.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import { poolDefinitions, SMALL_MAX_HEAVY_ATOMS, withSource } from '../../scripts/al-pools/definitions.js';
import { labelMolecule } from '../../scripts/al-pools/label.js';
import type { PoolRow } from '../../scripts/al-pools/rows.js';
import { selectPool } from '../../scripts/al-pools/select.js';
import { closeStores, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';

const DIR = 'data/al';
const defs = poolDefinitions();
const POOLS = [
  { def: defs.nci, file: 'nci-gfn2.jsonl', maxHeavyAtoms: 20, tiers: ['xtb'] },
  {
    def: defs.small,
    file: 'small-gfn2-b3lyp.jsonl',
    maxHeavyAtoms: SMALL_MAX_HEAVY_ATOMS,
    tiers: ['xtb', 'nwchem'],
  },
];

function rowsOf(file: string): PoolRow[] {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  expect(text.endsWith('\n'), `${file} ends with a newline`).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as PoolRow);
}

/** The README's figures table: file -> level -> [molecules, ok, failed, not run]. */
function readmeFigures(): Map<string, Map<string, number[]>> {
  const figures = new Map<string, Map<string, number[]>>();
  for (const m of readFileSync(path.join(DIR, 'README.md'), 'utf8').matchAll(
    /^\| `([^`]+)` +\| (\d+) +\| (\w+) +\| (\d+) +\| (\d+) +\| (\d+) +\| [\d.]+ +\|$/gm,
  )) {
    const [, file, ...rest] = m as unknown as [string, string, string, string, string, string, string];
    const [molecules, level, ok, failed, notRun] = rest;
    const byLevel = figures.get(file) ?? new Map<string, number[]>();
    byLevel.set(level, [molecules, ok, failed, notRun].map(Number));
    figures.set(file, byLevel);
  }
  return figures;
}

function pick<T>(items: readonly T[], n: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  while (out.length < n && copy.length > 0)
    out.push(copy.splice(Math.floor(Math.random() * copy.length), 1)[0] as T);
  return out;
}

describe('the committed pools', () => {
  const figures = readmeFigures();

  for (const { def, file, maxHeavyAtoms, tiers } of POOLS) {
    it(`${file} parses, with unique ids and SMILES and plausible labels`, () => {
      const rows = rowsOf(file);
      expect(rows.length).toBe(def.config.candidates?.limit);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.smiles)).size).toBe(rows.length);
      for (const r of rows) {
        expect(r.heavyAtoms, r.id).toBeGreaterThan(0);
        expect(r.heavyAtoms, r.id).toBeLessThanOrEqual(maxHeavyAtoms);
        expect(r.geometry.method, r.id).toMatch(/^openchemlib-.*-seed\d+/);
        expect(Number.isFinite(r.geometry.cpuSeconds), r.id).toBe(true);
        // the ladder in order, ending at its first failure
        const names = Object.keys(r.labels);
        expect(names, r.id).toEqual(tiers.slice(0, names.length));
        for (const [tier, l] of Object.entries(r.labels)) {
          expect(Number.isFinite(l.cpuSeconds) && l.cpuSeconds >= 0, `${r.id} ${tier}`).toBe(true);
          if (l.status === 'ok') {
            expect(l.homoLumoGap, `${r.id} ${tier}`).toBeGreaterThan(0);
            expect(l.homoLumoGap, `${r.id} ${tier}`).toBeLessThan(20);
            expect(Number.isFinite(l.energy), `${r.id} ${tier}`).toBe(true);
          } else {
            expect(l.status, `${r.id} ${tier}`).toBe('failed');
            expect(l.error, `${r.id} ${tier}`).toBeTruthy();
          }
        }
        if (names.length < tiers.length)
          expect(r.labels[names.at(-1) as string]?.status, r.id).toBe('failed');
      }
    });

    it(`${file}: the README's counts are the file's`, () => {
      const rows = rowsOf(file);
      const table = figures.get(file);
      expect(table, `README has figures for ${file}`).toBeDefined();
      const geometryFailed = rows.filter((r) => r.geometry.error !== undefined).length;
      expect(table?.get('geometry')).toEqual([rows.length, rows.length - geometryFailed, geometryFailed, 0]);
      for (const tier of tiers) {
        const ok = rows.filter((r) => r.labels[tier]?.status === 'ok').length;
        const failed = rows.filter((r) => r.labels[tier]?.status === 'failed').length;
        expect(table?.get(tier), tier).toEqual([rows.length, ok, failed, rows.length - ok - failed]);
      }
    });
  }
});

describe('molecules computed again, for real', () => {
  let home: string;
  let store: Store;
  const previousHome = process.env.CASCADE_HOME;

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'cascade-al-'));
    process.env.CASCADE_HOME = home; // the calculations' work directories
    store = openStore(path.join(home, 'cascade.db'));
  });
  afterAll(async () => {
    await closeStores();
    if (previousHome === undefined) delete process.env.CASCADE_HOME;
    else process.env.CASCADE_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
  });

  /** The rows' molecules selected again (from a file of their own) and labelled with the first `tiers` tiers. */
  async function relabel(
    pool: (typeof POOLS)[number],
    rows: readonly PoolRow[],
    tiers: number,
  ): Promise<PoolRow[]> {
    const source = path.join(home, `${pool.def.name}-${tiers}.smi`);
    writeFileSync(source, rows.map((r) => `${r.smiles} ${r.id}\n`).join(''));
    const base = {
      ...pool.def,
      config: { ...pool.def.config, tiers: pool.def.config.tiers.slice(0, tiers) },
    };
    const def = withSource(base, source);
    const { molecules } = await selectPool(store, def);
    expect(molecules.map((m) => [m.label, m.smiles, m.heavyAtoms])).toEqual(
      rows.map((r) => [r.id, r.smiles, r.heavyAtoms]),
    );
    const out: PoolRow[] = [];
    for (const m of molecules) out.push(await labelMolecule(store, def, m as MoleculeCandidate));
    return out;
  }

  for (const pool of POOLS) {
    it(`3 random molecules of ${pool.file}: the same GFN2 gap within 1e-3 eV`, {
      timeout: 180_000,
    }, async () => {
      const chosen = pick(rowsOf(pool.file), 3);
      const again = await relabel(pool, chosen, 1);
      for (const [i, r] of chosen.entries()) {
        const was = r.labels.xtb;
        const now = again[i]?.labels.xtb;
        expect(now?.status, `${r.id} ${r.smiles}`).toBe(was?.status);
        if (was?.status === 'ok') {
          expect(
            Math.abs((now?.homoLumoGap as number) - (was.homoLumoGap as number)),
            `${r.id} ${r.smiles}`,
          ).toBeLessThan(1e-3);
        }
      }
    });
  }

  it('one small molecule of the B3LYP pool: the same NWChem gap within 1e-3 eV', {
    timeout: 240_000,
  }, async () => {
    const small = POOLS[1] as (typeof POOLS)[number];
    const nwchem = small.tiers[1] as string;
    // among the cheapest NWChem runs (a few seconds each), so the check stays short
    const ok = rowsOf(small.file)
      .filter((r) => r.labels[nwchem]?.status === 'ok')
      .sort((a, b) => (a.labels[nwchem]?.cpuSeconds ?? 0) - (b.labels[nwchem]?.cpuSeconds ?? 0));
    const [chosen] = pick(ok.slice(0, 20), 1);
    expect(chosen).toBeDefined();
    const row = chosen as PoolRow;
    const [again] = await relabel(small, [row], 2);
    const was = row.labels[nwchem];
    const now = again?.labels[nwchem];
    expect(now?.status, `${row.id} ${row.smiles}`).toBe('ok');
    expect(
      Math.abs((now?.homoLumoGap as number) - (was?.homoLumoGap as number)),
      `${row.id} ${row.smiles}`,
    ).toBeLessThan(1e-3);
  });
});
