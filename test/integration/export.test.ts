/**
 * `cascade export` round-trips: a real finished campaign (two xtb tiers, the second optimising the promoted
 * half; real workers on the shared dev server) exported in all four formats by the `cascade` command, each file
 * read back with the field's own tools from the test-only virtualenv (RDKit's SDMolSupplier, ASE's extxyz
 * reader, Python's csv and json). The numbers they read must equal the store's, the structures the geometries
 * the store keeps, and every provenance column must be there.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromStored, GEOMETRY_GENERATOR } from '../../activities/qm/stored-geometry.js';
import type { Crystal, Geometry } from '../../lib/domain/geometry.js';
import { ANGSTROM_PER_BOHR, EV_PER_HARTREE } from '../../lib/domain/units.js';
import { openStore } from '../../store/open.js';
import type { EvaluationRecord } from '../../store/store.js';
import { startCampaign, tinyCampaign } from '../helpers/campaign-env.js';
import { aluminium, mgoJson } from '../helpers/crystals.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const root = path.resolve(import.meta.dirname, '../..');
const python = path.join(root, '.tools/test-venv/bin/python');
const reader = path.join(root, 'test/helpers/read_export.py');
const NAME = 'exported';
const UNIT: Record<string, string> = { homoLumoGap: 'eV', totalEnergy: 'Eh', dipoleMoment: 'D' };

const env = environmentWithWorkers();

/**
 * `cascade export ...` as a user runs it; returns its stderr (the summary). Asynchronous: this process hosts the
 * campaign's Temporal workers and vitest's RPC, which a blocking spawn would starve (a minute under load).
 */
async function cascadeExport(
  args: string[],
  name = NAME,
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const r = await execa(process.execPath, [path.join(root, 'bin/cascade.js'), 'export', name, ...args], {
    cwd: env().home,
    env: { ...process.env, ...env().env, ...extraEnv },
    timeout: 120_000,
    reject: false,
  });
  if (r.exitCode !== 0)
    throw new Error(`cascade export ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}`);
  return r.stderr;
}

/** What the field's tool read from FILE (test/helpers/read_export.py). */
async function readBack<T>(format: string, file: string): Promise<T> {
  const r = await execa(python, [reader, format, file], { maxBuffer: 64 << 20 });
  return JSON.parse(r.stdout) as T;
}

const key = (idx: number | string, tier: string) => `${idx}/${tier}`;

let evaluations: EvaluationRecord[];
let byKey: Map<string, EvaluationRecord>;

beforeAll(async () => {
  const config = tinyCampaign(NAME, {
    candidates: {
      source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
      limit: 40,
      filters: { maxHeavyAtoms: 6, elements: ['C', 'N', 'O'] },
    },
    acquisition: { strategy: 'ucb', batchSize: 3, initialBatch: 5, kappa: 1 },
    tiers: [
      { code: 'xtb', name: 'gfn1', method: 'gfn1', timeoutSeconds: 120 },
      {
        code: 'xtb',
        name: 'gfn2',
        method: 'gfn2',
        optimize: true,
        promote: { top: 0.5 },
        timeoutSeconds: 120,
      },
    ],
    budget: { rounds: 2, callsPerTier: { gfn1: 20, gfn2: 10 } },
  });
  const handle = await startCampaign(env(), config);
  await handle.result();
  evaluations = await openStore().listEvaluations(NAME);
  byKey = new Map(evaluations.map((e) => [key(e.idx, e.tier), e]));
}, 300_000);

describe('cascade export', () => {
  it('the campaign evaluated candidates at both tiers', () => {
    const tiers = new Set(evaluations.map((e) => e.tier));
    expect([...tiers].sort()).toEqual(['gfn1', 'gfn2']);
    expect(evaluations.filter((e) => e.status === 'ok').length).toBeGreaterThanOrEqual(8);
  });

  it("CSV: Python reads every evaluation with the store's numbers and full provenance", {
    timeout: 120_000,
  }, async () => {
    const file = path.join(env().home, 'out.csv');
    await cascadeExport(['--format', 'csv', '-o', file]);
    const { header, rows } = await readBack<{ header: string[]; rows: Record<string, string>[] }>(
      'csv',
      file,
    );
    for (const column of [
      'idx',
      'tier',
      'status',
      'failure_class',
      'failure_kind',
      'code',
      'code_version',
      'method',
      'settings',
      'input_hash',
      'cpu_seconds',
      'energy_J',
      'host',
      'date',
      'licence',
      'cascade_version',
      'homoLumoGap_eV',
      'totalEnergy_Eh',
    ])
      expect(header).toContain(column);
    expect(rows).toHaveLength(evaluations.length);
    const store = openStore();
    for (const row of rows) {
      const e = byKey.get(key(row.idx as string, row.tier as string));
      if (!e) throw new Error(`row ${row.idx}/${row.tier} is not in the store`);
      expect(row.status).toBe(e.status);
      for (const [p, v] of Object.entries(e.values ?? {})) {
        if (v !== undefined) expect(Number(row[`${p}_${UNIT[p]}`])).toBe(v);
      }
      expect(row.licence).toBe('CC-BY-4.0');
      if (e.status !== 'ok' || !e.resultKey) continue;
      const result = await store.getQmResult(e.resultKey);
      expect(row).toMatchObject({
        code: 'xtb',
        code_version: result?.codeVersion,
        method: e.tier,
        input_hash: result?.geometryHash,
        result_key: e.resultKey,
      });
      expect(row.code_version).not.toBe('');
      expect(row.host).not.toBe('');
      expect(Number.isNaN(Date.parse(row.date as string))).toBe(false);
      if (!e.cached) {
        // the candidate's work as the ledger lines that name it say: its calculation and its geometry
        const usage = await store.candidateUsage(NAME, { round: e.round, idx: e.idx, tier: e.tier });
        expect(row.energy_source).toBe('ledger');
        expect(Number(row.energy_J)).toBeCloseTo(usage?.energyJoules ?? Number.NaN, 9);
        expect(Number(row.cpu_seconds)).toBeCloseTo(usage?.cpuSeconds ?? Number.NaN, 9);
        expect(Number(row.energy_J)).toBeGreaterThan(0);
      }
    }
    const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8'));
    const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(meta).toMatchObject({ licence: 'CC-BY-4.0', cascadeVersion: version, format: 'csv' });
    expect(meta.units).toMatchObject({ homoLumoGap: 'eV', totalEnergy: 'Eh' });
  });

  it('JSONL: a metadata line with the chosen licence, then every candidate with its tiers', {
    timeout: 120_000,
  }, async () => {
    const file = path.join(env().home, 'out.jsonl');
    await cascadeExport(['-o', file, '--licence', 'CC0-1.0']);
    const { lines } = await readBack<{ lines: Array<Record<string, unknown>> }>('jsonl', file);
    expect(lines[0]).toMatchObject({ type: 'metadata', campaign: NAME, licence: 'CC0-1.0' });
    const candidates = lines.slice(1) as Array<{
      idx: number;
      evaluations: Array<{ tier: string; values: Record<string, number>; codeVersion?: string }>;
    }>;
    expect(candidates).toHaveLength(new Set(evaluations.map((e) => e.idx)).size);
    let compared = 0;
    for (const c of candidates) {
      for (const ev of c.evaluations) {
        const e = byKey.get(key(c.idx, ev.tier));
        expect(ev.values).toEqual(e?.values ?? {});
        compared++;
      }
      // lowest tier first
      expect(c.evaluations.map((e) => e.tier)).toEqual(
        ['gfn1', 'gfn2'].filter((t) => c.evaluations.some((e) => e.tier === t)),
      );
    }
    expect(compared).toBe(evaluations.length);
  });

  it('SDF: RDKit reads every molecule, its properties and its stored 3D geometry', {
    timeout: 120_000,
  }, async () => {
    const file = path.join(env().home, 'out.sdf');
    await cascadeExport(['--format', 'sdf', '-o', file]);
    const { records, canonical } = await readBack<{
      records: Array<{
        props: Record<string, string>;
        smiles: string;
        is3D: boolean;
        positions: number[][];
      } | null>;
      canonical: Record<string, string>;
    }>('sdf', file);
    expect(records).toHaveLength(new Set(evaluations.map((e) => e.idx)).size);
    const store = openStore();
    for (const r of records) {
      if (r === null) throw new Error('RDKit could not read a record');
      const idx = Number(r.props.idx);
      // the bonds are the molecule's: RDKit's SMILES of the record is the candidate's
      expect(r.smiles).toBe(canonical[r.props.identity as string]);
      expect(r.is3D).toBe(true);
      for (const tier of ['gfn1', 'gfn2']) {
        const e = byKey.get(key(idx, tier));
        if (!e) {
          expect(r.props[`${tier}_status`]).toBeUndefined();
          continue;
        }
        expect(r.props[`${tier}_status`]).toBe(e.status);
        for (const [p, v] of Object.entries(e.values ?? {}))
          if (v !== undefined) expect(Number(r.props[`${tier}_${p}_${UNIT[p]}`])).toBe(v);
        if (e.resultKey) {
          expect(r.props[`${tier}_code_version`]).toBe((await store.getQmResult(e.resultKey))?.codeVersion);
          expect(r.props[`${tier}_input_hash`]).toBeTruthy();
        }
      }
      expect(r.props.licence).toBe('CC-BY-4.0');
      expect(r.props.cascade_version).toBeTruthy();
      // coordinates: the optimised geometry of the top tier where it ran, else the stored embedding (4 decimals)
      const geometry = await expectedGeometry(idx, r.props.identity as string);
      expect(r.props.geometry_source).toBe(geometry.source);
      expect(r.positions).toHaveLength(geometry.coords.length);
      // a molfile prints 4 decimals: each coordinate within half the last digit
      const worst = Math.max(
        ...r.positions.flatMap((p, i) =>
          p.map((x, k) => Math.abs(x - (geometry.coords[i]?.[k] ?? Number.NaN))),
        ),
      );
      expect(worst).toBeLessThanOrEqual(0.5e-4 + 1e-12);
    }
  });

  it('extended XYZ: ASE reads a frame per candidate, energies in eV, the geometry in full', {
    timeout: 120_000,
  }, async () => {
    const file = path.join(env().home, 'out.extxyz');
    await cascadeExport(['-o', file]);
    const { frames } = await readBack<{
      frames: Array<{
        symbols: string[];
        positions: number[][];
        pbc: boolean[];
        energy: number | null;
        info: Record<string, unknown>;
      }>;
    }>('extxyz', file);
    expect(frames).toHaveLength(new Set(evaluations.map((e) => e.idx)).size);
    for (const f of frames) {
      const idx = f.info.idx as number;
      expect(f.pbc).toEqual([false, false, false]);
      let energy: number | undefined;
      for (const tier of ['gfn1', 'gfn2']) {
        const e = byKey.get(key(idx, tier));
        if (!e) continue;
        const v = e.values ?? {};
        if (v.homoLumoGap !== undefined) expect(f.info[`${tier}_homoLumoGap_eV`]).toBe(v.homoLumoGap);
        if (v.totalEnergy !== undefined) {
          expect(f.info[`${tier}_totalEnergy_eV`]).toBe(v.totalEnergy * EV_PER_HARTREE);
          energy = v.totalEnergy * EV_PER_HARTREE;
        }
        if (e.status === 'ok') expect(f.info[`${tier}_code`]).toBe('xtb');
        expect(f.info[`${tier}_cached`]).toBe(e.cached);
      }
      expect(f.energy).toBe(energy ?? null);
      const geometry = await expectedGeometry(idx, f.info.identity as string);
      expect(f.symbols).toEqual(geometry.symbols);
      expect(f.positions).toEqual(geometry.coords);
      expect(f.info.licence).toBe('CC-BY-4.0');
    }
    expect(existsSync(`${file}.meta.json`)).toBe(true);
  });
});

describe('cascade export of crystals', () => {
  it('ASE reads each crystal with its cell in angstrom, periodic, and its energy in eV', {
    timeout: 60_000,
  }, async () => {
    // a store of its own with a crystal pool evaluated by hand: no code in this project's tiers computes crystals yet
    const file = path.join(env().home, 'crystals.db');
    const store = openStore(file);
    await store.saveCampaign('crystals', tinyCampaign('crystals'));
    const mgo: Crystal = {
      kind: 'crystal',
      lattice: mgoJson.lattice as Crystal['lattice'],
      symbols: mgoJson.species,
      fractional: mgoJson.fractional as Crystal['fractional'],
    };
    await store.putCandidates('crystals', [
      { kind: 'crystal', idx: 0, label: 'MgO', key: 'mgo-rocksalt', structure: mgo },
      { kind: 'crystal', idx: 1, label: 'Al', key: 'al-fcc', structure: aluminium },
    ]);
    const energies = [-274.901234567891, -241.3];
    for (const [idx, totalEnergy] of energies.entries())
      await store.putEvaluation('crystals', {
        idx,
        tier: 'xtb',
        round: 0,
        status: 'ok',
        value: totalEnergy,
        values: { totalEnergy },
        cached: false,
        cpuSeconds: 1,
        wallSeconds: 1,
      });
    const out = path.join(env().home, 'crystals.extxyz');
    await cascadeExport(['-o', out], 'crystals', { CASCADE_STORE: file });
    const { frames } = await readBack<{
      frames: Array<{
        symbols: string[];
        positions: number[][];
        pbc: boolean[];
        cell: number[][];
        energy: number | null;
      }>;
    }>('extxyz', out);
    expect(frames).toHaveLength(2);
    for (const [i, c] of [mgo, aluminium].entries()) {
      const f = frames[i];
      expect(f?.pbc).toEqual([true, true, true]);
      expect(f?.symbols).toEqual(c.symbols);
      expect(f?.cell).toEqual(c.lattice.map((row) => row.map((v) => v * ANGSTROM_PER_BOHR)));
      expect(f?.energy).toBe((energies[i] as number) * EV_PER_HARTREE);
      // Cartesian = fractional × lattice rows
      const expected = c.fractional.map((fr) =>
        [0, 1, 2].map(
          (k) => fr.reduce((sum, x, j) => sum + x * (c.lattice[j]?.[k] ?? 0), 0) * ANGSTROM_PER_BOHR,
        ),
      );
      const worst = Math.max(
        ...(f?.positions ?? []).flatMap((p, a) =>
          p.map((x, k) => Math.abs(x - (expected[a]?.[k] ?? Number.NaN))),
        ),
      );
      expect(worst).toBeLessThan(1e-12);
    }
  });
});

/** The geometry an export should carry: the highest tier's optimised one, else the stored embedding. */
async function expectedGeometry(idx: number, smiles: string): Promise<Geometry & { source: string }> {
  const store = openStore();
  for (const tier of ['gfn2', 'gfn1']) {
    const e = byKey.get(key(idx, tier));
    if (e?.status !== 'ok' || !e.resultKey) continue;
    const final = ((await store.getQmResult(e.resultKey))?.outputs as { finalGeometry?: Geometry })
      ?.finalGeometry;
    if (final) return { ...final, source: `optimised at tier ${tier}` };
  }
  const stored = await store.getGeometry(smiles, GEOMETRY_GENERATOR);
  if (!stored) throw new Error(`no stored geometry for ${smiles}`);
  return { ...fromStored(stored), source: `embedding ${GEOMETRY_GENERATOR}` };
}
