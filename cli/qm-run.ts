/** What `cascade qm run` does: build a spec and a system from the options, calculate through the cache. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { smilesAtoms } from '../activities/chem/rdkit.js';
import { CalculationStopped, calculate } from '../activities/qm/calculate.js';
import { smilesTo3D } from '../activities/qm/geometry.js';
import { prepareEnergy } from '../activities/usage.js';
import { formatProblem } from '../lib/config/problem.js';
import { CodeDescriptionError, describedCode } from '../qm/codes/generic/index.js';
import { codeEntry, registerCode } from '../qm/codes/registry.js';
import { lowestMultiplicity, parseXyz } from '../qm/molecule.js';
import { type CalcSpec, type CodeEntry, type Geometry, isCrystal, type QmSystem } from '../qm/template.js';
import { cascadeHome, openStore } from '../store/open.js';
import { CliError } from './client.js';
import type { QmRunOptions } from './commands/qm.js';

export interface QmRunResult {
  status: 'ok' | 'failed';
  code: string;
  codeVersion: string;
  method: string;
  basis?: string;
  totalEnergy?: number;
  cached: boolean;
  wallSeconds: number;
  cpuSeconds: number;
  key: string;
  [property: string]: unknown;
}

export async function runOne(o: QmRunOptions): Promise<QmRunResult> {
  await prepareEnergy();
  const entry = codeFor(o);
  const system = await systemFrom(o, entry);
  const charge = o.charge ?? (isCrystal(system) ? 0 : system.charge);
  const spec: CalcSpec = {
    code: entry.code,
    method: o.method ?? (entry.defaultMethod || missingMethod(entry)),
    task: o.task,
    ...(o.basis !== undefined && { basis: o.basis }),
    ...(o.solvent !== undefined && { solvent: o.solvent }),
    charge,
    multiplicity: o.multiplicity ?? (isCrystal(system) ? 1 : lowestMultiplicity(system.symbols, charge)),
    settings: o.set,
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const store = openStore();
    const r = await calculate(
      store,
      {
        spec,
        system,
        timeoutSeconds: o.timeout,
        threads: o.threads,
        ...(o.recompute && { recompute: 'all' as const }),
      },
      { signal: abort.signal },
    );
    if (!r.cached) await store.record({ activity: `qm run:${spec.code}`, usage: r.usage });
    const outputs = (r.record.outputs ?? {}) as Record<string, unknown>;
    const { warnings, finalGeometry, ...values } = outputs;
    return {
      status: r.record.status,
      code: r.record.code,
      codeVersion: r.record.codeVersion,
      method: r.record.method,
      ...(spec.basis !== undefined && { basis: spec.basis }),
      ...values,
      ...(r.record.failure && { failure: r.record.failure }),
      ...(Array.isArray(warnings) && warnings.length > 0 && { warnings }),
      cached: r.cached,
      // a cached answer costs nothing now; the original run's cost stays in its provenance
      wallSeconds: r.cached ? Number(r.record.provenance.wallSeconds ?? 0) : r.usage.wallSeconds,
      cpuSeconds: r.cached ? Number(r.record.provenance.cpuSeconds ?? 0) : r.usage.cpuSeconds,
      key: r.key,
      workDir: r.record.provenance.workDir,
      ...(finalGeometry !== undefined && { finalGeometry }),
    };
  } catch (e) {
    if (e instanceof CalculationStopped) throw new CliError(e.message, 130);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The code to run: a built-in one (qm/codes/registry.ts), the YAML description given with --code-file, or
 * for --code NAME that is not built in, $CASCADE_HOME/codes/NAME.yaml. A description is registered for this
 * process under its own name (replacing a built-in code of that name: `--code-file configs/codes/xtb.yaml`
 * runs xtb through the description); its version string carries the description's hash, so its results are
 * cached apart from the built-in code's.
 */
export function codeFor(o: Pick<QmRunOptions, 'code' | 'codeFile'>): CodeEntry {
  if (o.codeFile !== undefined) {
    const entry = described(o.codeFile);
    if (o.code !== undefined && o.code !== entry.code)
      throw new CliError(`--code ${o.code} does not match ${o.codeFile}, which describes "${entry.code}"`, 2);
    registerCode(entry);
    return entry;
  }
  if (o.code === undefined) throw new CliError('give --code NAME or --code-file FILE', 2);
  try {
    return codeEntry(o.code);
  } catch (e) {
    const file = path.join(cascadeHome(), 'codes', `${o.code}.yaml`);
    if (!existsSync(file)) throw new CliError(`${(e as Error).message}, and there is no ${file}`, 2);
    const entry = described(file);
    if (entry.code !== o.code) throw new CliError(`${file} describes "${entry.code}", not "${o.code}"`, 2);
    registerCode(entry);
    return entry;
  }
}

function described(file: string): CodeEntry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
  }
  try {
    return describedCode(text, file);
  } catch (e) {
    if (!(e instanceof CodeDescriptionError)) throw e;
    throw new CliError([e.message, ...e.problems.map(formatProblem)].join('\n'), 2);
  }
}

/** The embedding takes at most this long (and never longer than --timeout). */
const EMBED_TIMEOUT_SECONDS = 60;

/** --smiles embedded in 3D, or exit 2 with one line saying why not (a bad SMILES, or one too large to embed in time). */
async function embedded(smiles: string, timeoutSeconds: number): Promise<Geometry> {
  const seconds = Math.min(EMBED_TIMEOUT_SECONDS, timeoutSeconds);
  try {
    return await smilesTo3D(smiles, { timeoutMs: seconds * 1000 });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? '';
    const shown = smiles.length > 60 ? `${smiles.slice(0, 57)}...` : smiles;
    if (/timed out/i.test(message)) {
      throw new CliError(
        `--smiles: embedding ${smilesAtoms(smiles)} atoms (hydrogens not counted) in 3D timed out after ${seconds} s; give a geometry with --xyz FILE instead`,
        2,
      );
    }
    throw new CliError(`--smiles: ${message.replaceAll(JSON.stringify(smiles), JSON.stringify(shown))}`, 2);
  }
}

function missingMethod(entry: CodeEntry): never {
  throw new CliError(`${entry.code} has no default method: give --method`, 2);
}

async function systemFrom(o: QmRunOptions, entry: CodeEntry): Promise<QmSystem> {
  const kind = entry.system;
  const given = [o.xyz, o.smiles, o.structure].filter((x) => x !== undefined).length;
  if (given !== 1) throw new CliError('give exactly one of --xyz FILE, --smiles SMILES, --structure FILE', 2);
  if (kind === 'crystal') {
    if (!o.structure)
      throw new CliError(`${entry.code} computes crystals: give --structure FILE (JSON or extended XYZ)`, 2);
    const { readCrystal } = await import('../qm/structure.js');
    try {
      return readCrystal(readFileSync(o.structure, 'utf8'), o.structure);
    } catch (e) {
      throw new CliError((e as Error).message, 2);
    }
  }
  if (o.structure)
    throw new CliError(`${entry.code} computes molecules: give --xyz FILE or --smiles SMILES`, 2);
  if (o.smiles !== undefined) return embedded(o.smiles, o.timeout);
  let text: string;
  try {
    text = readFileSync(o.xyz as string, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${o.xyz}: ${(e as Error).message}`, 2);
  }
  try {
    return parseXyz(text);
  } catch (e) {
    throw new CliError(`${o.xyz}: ${(e as Error).message}`, 2);
  }
}
