/**
 * Generates the basis-set convergence data set described by a CbsDatasetConfig: every calculation goes through
 * the same cached code layer as campaigns (activities/qm/calculate.ts), so nothing is computed twice and an
 * interrupted run resumes where it stopped. Writes JSONL files (one row per calculation, with provenance):
 * solids.jsonl, molecules.jsonl and molecule-geometries.jsonl (the geometries used, so that a rerun elsewhere
 * computes on exactly the same molecules).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CbsDatasetConfig,
  cardinalNumber,
  type MoleculeSet,
  PROTOTYPES,
  type SolidSet,
} from '../../lib/cbs/dataset-config.js';
import type { MoleculeRow, SolidRow } from '../../lib/cbs/rows.js';
import { compositionOf, formulaOf } from '../../lib/chem/composition.js';
import { canonicalGeometry } from '../../qm/molecule.js';
import type { CalcOutputs, CalcSpec, Crystal, Geometry } from '../../qm/template.js';
import type { Store } from '../../store/store.js';
import { type CalculationRequest, type CalculationResult, calculate } from '../qm/calculate.js';
import { fromStored, geometryJson, storedGeometry } from '../qm/stored-geometry.js';
import { binaryCell, binaryElements, type Cell, elementCell } from './cells.js';
import { readDatasetFiles, readJsonl } from './read-dataset.js';

export interface GenerateOptions {
  /** Directory the JSONL files go to. */
  outDir: string;
  /** One line per finished calculation. */
  log?: (line: string) => void;
  /** Only plan: list the calculations without running any. */
  dryRun?: boolean;
  /** On abort (Ctrl-C), the files are written with everything finished so far before the caller exits. */
  signal?: AbortSignal;
  /** The results store: calculations are cached there, and each one's Usage goes to its ledger. */
  store: Store;
}

interface Job {
  label: string;
  /** Lower runs first: cheap rungs before expensive ones, so a partial run is useful. */
  order: number;
  /** Runs the calculation and says how it went. */
  run: () => Promise<string>;
}

export interface GenerateSummary {
  calculations: number;
  failed: number;
  solids: number;
  molecules: number;
}

export async function generateDataset(
  config: CbsDatasetConfig,
  opts: GenerateOptions,
): Promise<GenerateSummary> {
  const log = opts.log ?? (() => {});
  mkdirSync(opts.outDir, { recursive: true });
  const solidRows: SolidRow[] = [];
  const moleculeRows: MoleculeRow[] = [];
  const geometries = new Map<string, Geometry>(readGeometries(opts.outDir));
  const jobs: Job[] = [];
  // rows already in the output files are kept (a run on another machine, without this store, goes on from them)
  const earlier = readDatasetFiles(opts.outDir);
  if (config.solids) jobs.push(...solidJobs(opts.store, config.solids, solidRows, earlier.solids ?? []));
  if (config.molecules) {
    jobs.push(
      ...(await moleculeJobs(
        opts.store,
        config.molecules,
        geometries,
        moleculeRows,
        earlier.molecules ?? [],
        log,
      )),
    );
  }
  jobs.sort((a, b) => a.order - b.order);
  if (opts.dryRun) {
    for (const j of jobs) log(j.label);
    return { calculations: jobs.length, failed: 0, solids: 0, molecules: 0 };
  }
  let done = 0;
  const started = Date.now();
  // while the run is under way, rows of the earlier files that no job has reached yet stay in the files, so a
  // run killed outright (kill -9, power cut) loses nothing; the final write holds exactly this run's rows
  const writeSoFar = () =>
    writeAll(
      opts.outDir,
      config.solids ? withEarlier(solidRows, earlier.solids ?? [], solidKey) : [],
      config.molecules ? withEarlier(moleculeRows, earlier.molecules ?? [], moleculeKey) : [],
      config.molecules ? geometries : undefined,
    );
  opts.signal?.addEventListener('abort', writeSoFar, { once: true });
  await pool(jobs, config.concurrency, async (job) => {
    const how = await job.run();
    done++;
    log(`[${done}/${jobs.length}, ${((Date.now() - started) / 1000).toFixed(0)} s] ${job.label}: ${how}`);
    if (done % 5 === 0) writeSoFar();
  });
  writeAll(opts.outDir, solidRows, moleculeRows, config.molecules ? geometries : undefined);
  const failed = [...solidRows, ...moleculeRows].filter((r) => r.status !== 'ok').length;
  return {
    calculations: jobs.length,
    failed,
    solids: new Set(solidRows.map((r) => r.compound)).size,
    molecules: new Set(moleculeRows.map((r) => r.smiles)).size,
  };
}

/** Runs `work` over `items`, `n` at a time. */
async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}

// ---------------------------------------------------------------------------------------------------
// Solids

function solidCells(set: SolidSet): Cell[] {
  const cells: Cell[] = [];
  for (const prototype of PROTOTYPES) {
    for (const formula of set.compounds[prototype]) cells.push(binaryCell(prototype, formula));
  }
  if (!set.elements) return cells;
  // elements first: they are cheap, and the stoichiometric baseline of every binary needs them
  const elements = [...new Set(cells.flatMap((c) => binaryElements(c.compound)))].sort();
  return [...elements.map(elementCell), ...cells];
}

function solidJobs(store: Store, set: SolidSet, rows: SolidRow[], earlier: SolidRow[]): Job[] {
  const rungs: { rgkmax: number; role: SolidRow['role'] }[] = [
    ...set.ladder.map((r) => ({ rgkmax: r, role: 'ladder' as const })),
    { rgkmax: set.reference, role: 'reference' as const },
  ];
  const check = set.check;
  const cells = solidCells(set);
  const checkCells = check
    ? cells.filter((c) => c.prototype !== 'fcc' && check.compounds.includes(c.compound))
    : [];
  return [
    // compound by compound, so that a partial run leaves complete ladders
    ...cells.flatMap((cell, i) =>
      rungs.map((rung, k) => solidJob(store, set, cell, rung, i * 100 + k, rows, earlier)),
    ),
    // after every ladder: the checks are the most expensive calculations and the least needed
    ...(check
      ? checkCells.map((cell, i) =>
          solidJob(
            store,
            { ...set, timeoutSeconds: check.timeoutSeconds },
            cell,
            { rgkmax: check.rgkmax, role: 'check' },
            1e8 + i,
            rows,
            earlier,
          ),
        )
      : []),
  ];
}

function solidJob(
  store: Store,
  set: SolidSet,
  cell: Cell,
  rung: { rgkmax: number; role: SolidRow['role'] },
  order: number,
  rows: SolidRow[],
  earlier: SolidRow[],
): Job {
  return {
    label: `elk ${cell.compound} (${cell.prototype}) rgkmax ${rung.rgkmax}`,
    order,
    run: async () => {
      const settings = { ...set.settings, rgkmax: rung.rgkmax };
      const reused = reuse(
        rows,
        earlier,
        rung.role,
        (r) =>
          r.compound === cell.compound &&
          r.rgkmax === rung.rgkmax &&
          r.latticeConstantBohr === cell.latticeConstantBohr &&
          sameRun(r, set.method, settings),
      );
      if (reused) return reused;
      const spec: CalcSpec = {
        code: set.code,
        method: set.method,
        task: 'energy',
        charge: 0,
        multiplicity: 1,
        settings,
      };
      const result = await calculateOrFailure(store, spec, cell.crystal, set.timeoutSeconds);
      rows.push(solidRow(cell, rung, result));
      return describe(result);
    },
  };
}

function solidRow(
  cell: Cell,
  rung: { rgkmax: number; role: SolidRow['role'] },
  r: CalculationResult | Error,
): SolidRow {
  const atoms = cell.crystal.symbols.length;
  const base = {
    compound: cell.compound,
    formula: formulaOf(compositionOf(cell.crystal.symbols)),
    kind: cell.prototype === 'fcc' ? ('element' as const) : ('binary' as const),
    prototype: cell.prototype,
    species: cell.crystal.symbols,
    atoms,
    latticeConstantBohr: cell.latticeConstantBohr,
    rgkmax: rung.rgkmax,
    role: rung.role,
  };
  return { ...base, ...outcome(r, atoms) };
}

// ---------------------------------------------------------------------------------------------------
// Molecules

async function moleculeJobs(
  store: Store,
  set: MoleculeSet,
  geometries: Map<string, Geometry>,
  rows: MoleculeRow[],
  earlier: MoleculeRow[],
  log: (line: string) => void,
): Promise<Job[]> {
  const jobs: Job[] = [];
  const bases: { basis: string; role: MoleculeRow['role'] }[] = [
    ...set.ladder.map((b) => ({ basis: b, role: 'ladder' as const })),
    { basis: set.reference, role: 'reference' as const },
  ];
  for (const [i, smiles] of set.smiles.entries()) {
    let geom = geometries.get(smiles);
    if (!geom) {
      try {
        geom = await moleculeGeometry(store, smiles, set);
      } catch (e) {
        log(`skipped ${smiles}: ${(e as Error).message}`);
        continue;
      }
      geometries.set(smiles, geom);
      log(`geometry ${smiles}: ${formulaOf(compositionOf(geom.symbols))}`);
    }
    const g = geom;
    const geometryHash = canonicalGeometry(g).hash;
    const size = g.symbols.length + 4 * g.symbols.filter((s) => s !== 'H').length;
    const wanted = [...bases];
    if (set.check?.smiles.includes(smiles)) wanted.push({ basis: set.check.basis, role: 'check' });
    wanted.forEach((b, k) => {
      jobs.push({
        label: `nwchem ${smiles} ${b.basis}`,
        // all small bases first, then the reference from the smallest molecule up, then the checks
        order: (b.role === 'ladder' ? 0 : b.role === 'reference' ? 1 : 2) * 1e8 + k * 1e6 + size * 1e3 + i,
        run: async () => {
          const reused = reuse(
            rows,
            earlier,
            b.role,
            (r) =>
              r.smiles === smiles &&
              r.basis === b.basis &&
              r.geometryHash === geometryHash &&
              sameRun(r, set.method, set.settings),
          );
          if (reused) return reused;
          const spec: CalcSpec = {
            code: set.code,
            method: set.method,
            basis: b.basis,
            task: 'energy',
            charge: g.charge,
            multiplicity: g.multiplicity,
            settings: { ...set.settings },
          };
          const result = await calculateOrFailure(store, spec, g, set.timeoutSeconds);
          rows.push(moleculeRow(smiles, g, geometryHash, b, result));
          return describe(result);
        },
      });
    });
  }
  return jobs;
}

/** Open Babel 3D (stored per SMILES), then an xtb GFN2 optimisation through the cache. */
async function moleculeGeometry(store: Store, smiles: string, set: MoleculeSet): Promise<Geometry> {
  const start = await storedGeometry(store, smiles);
  if (set.optimise === 'none') return start;
  const opt = await accounted(store, {
    spec: {
      code: 'xtb',
      method: 'gfn2',
      task: 'optimize',
      charge: start.charge,
      multiplicity: start.multiplicity,
      settings: {},
    },
    system: start,
    timeoutSeconds: 600,
  });
  const final = (opt.record.outputs as { finalGeometry?: Geometry } | undefined)?.finalGeometry;
  if (opt.record.status !== 'ok' || !final) {
    throw new Error(
      `xtb could not optimise ${smiles}: ${opt.record.failure?.message ?? 'no final geometry'}`,
    );
  }
  return { ...final, charge: start.charge, multiplicity: start.multiplicity };
}

function moleculeRow(
  smiles: string,
  geom: Geometry,
  geometryHash: string,
  b: { basis: string; role: MoleculeRow['role'] },
  r: CalculationResult | Error,
): MoleculeRow {
  const atoms = geom.symbols.length;
  const o = r instanceof Error ? undefined : (r.record.outputs as CalcOutputs | undefined);
  return {
    smiles,
    formula: formulaOf(compositionOf(geom.symbols)),
    species: geom.symbols,
    atoms,
    charge: geom.charge,
    multiplicity: geom.multiplicity,
    geometryHash,
    basis: b.basis,
    cardinal: cardinalNumber(b.basis) ?? null,
    role: b.role,
    homo: o?.homo ?? null,
    lumo: o?.lumo ?? null,
    ...outcome(r, atoms),
  };
}

// ---------------------------------------------------------------------------------------------------
// Shared

function describe(r: CalculationResult | Error): string {
  if (r instanceof Error) return `error: ${r.message}`;
  const o = r.record.outputs as CalcOutputs | undefined;
  const cpu = (r.record.provenance as { cpuSeconds?: number }).cpuSeconds ?? 0;
  const how = o ? `${o.totalEnergy.toFixed(6)} Ha` : `failed: ${r.record.failure?.message ?? '?'}`;
  return `${how} (${cpu.toFixed(1)} CPU-s${r.cached ? ', cached' : ''})`;
}

async function calculateOrFailure(
  store: Store,
  spec: CalcSpec,
  system: Geometry | Crystal,
  timeoutSeconds: number,
): Promise<CalculationResult | Error> {
  try {
    return await accounted(store, { spec, system, timeoutSeconds });
  } catch (e) {
    return e as Error;
  }
}

/** The columns every row shares: energies, status and provenance. */
function outcome(r: CalculationResult | Error, atoms: number) {
  if (r instanceof Error) {
    return {
      status: 'failed' as const,
      failure: r.message,
      energy: null,
      energyPerAtom: null,
      fermiEnergy: null,
      bandGap: null,
      scfIterations: null,
      cpuSeconds: null,
      wallSeconds: null,
      code: null,
      codeVersion: null,
      method: null,
      settings: null,
      resultKey: null,
      host: null,
    };
  }
  const rec = r.record;
  const o = rec.outputs as CalcOutputs | undefined;
  const p = rec.provenance as { cpuSeconds?: number; wallSeconds?: number; host?: string };
  return {
    status: rec.status,
    failure: rec.failure?.message ?? null,
    energy: o?.totalEnergy ?? null,
    energyPerAtom: o ? o.totalEnergy / atoms : null,
    fermiEnergy: o?.fermiEnergy ?? null,
    bandGap: o?.bandGap ?? o?.homoLumoGap ?? null,
    scfIterations: o?.scfIterations ?? null,
    cpuSeconds: p.cpuSeconds ?? null,
    wallSeconds: p.wallSeconds ?? null,
    code: rec.code,
    codeVersion: rec.codeVersion,
    method: rec.method,
    settings: rec.settings,
    resultKey: rec.key,
    host: p.host ?? null,
  };
}

/** Takes the earlier row that `matches` (from the data files) into this run's rows, in this run's role. */
function reuse<R extends SolidRow | MoleculeRow>(
  rows: R[],
  earlier: readonly R[],
  role: R['role'],
  matches: (r: R) => boolean,
): string | undefined {
  const done = earlier.find(matches);
  if (!done) return undefined;
  rows.push({ ...done, role });
  return 'from the data set file';
}

/** A successful row computed with this functional and these settings (the row's settings include them). */
function sameRun(r: SolidRow | MoleculeRow, method: string, settings: Record<string, unknown>): boolean {
  if (r.status !== 'ok' || r.method !== method || !r.settings) return false;
  const had = r.settings;
  return Object.entries(settings).every(([k, v]) => JSON.stringify(had[k]) === JSON.stringify(v));
}

const GEOMETRY_FILE = 'molecule-geometries.jsonl';

function readGeometries(dir: string): [string, Geometry][] {
  const file = path.join(dir, GEOMETRY_FILE);
  if (!existsSync(file)) return [];
  return readJsonl<{ smiles: string; xyz: string; charge: number; multiplicity: number }>(file).map((row) => [
    row.smiles,
    fromStored(JSON.stringify(row)),
  ]);
}

const solidKey = (r: SolidRow) => `${r.kind}|${r.prototype}|${r.compound}|${r.rgkmax}|${r.role}`;
const moleculeKey = (r: MoleculeRow) => `${r.smiles}|${r.basis}|${r.role}`;

/** The rows computed so far, plus the earlier rows (from the files) that none of them replaces yet. */
function withEarlier<R>(now: readonly R[], earlier: readonly R[], key: (r: R) => string): R[] {
  const have = new Set(now.map(key));
  return [...now, ...earlier.filter((r) => !have.has(key(r)))];
}

/** Writes the non-empty parts; geometries only where this run owns them (a solids-only run leaves them alone). */
function writeAll(
  dir: string,
  solids: readonly SolidRow[],
  molecules: readonly MoleculeRow[],
  geometries: Map<string, Geometry> | undefined,
): void {
  const bySolid = (a: SolidRow, b: SolidRow) =>
    a.kind.localeCompare(b.kind) || a.compound.localeCompare(b.compound) || a.rgkmax - b.rgkmax;
  const byMolecule = (a: MoleculeRow, b: MoleculeRow) =>
    a.smiles.localeCompare(b.smiles) || (a.cardinal ?? 0) - (b.cardinal ?? 0);
  if (solids.length > 0) writeJsonl(path.join(dir, 'solids.jsonl'), [...solids].sort(bySolid));
  if (molecules.length > 0) writeJsonl(path.join(dir, 'molecules.jsonl'), [...molecules].sort(byMolecule));
  if (geometries && geometries.size > 0) {
    const rows = [...geometries.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([smiles, g]) => ({ smiles, ...JSON.parse(geometryJson(g)) }));
    writeJsonl(path.join(dir, GEOMETRY_FILE), rows);
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
function writeJsonl(file: string, rows: readonly unknown[]): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  renameSync(tmp, file);
}

/** One calculation through the cache, its Usage recorded in the ledger when it ran now. */
async function accounted(store: Store, req: CalculationRequest): Promise<CalculationResult> {
  const r = await calculate(store, req);
  if (!r.cached) await store.record({ activity: `cbs:generate:${req.spec.code}`, usage: r.usage });
  return r;
}
