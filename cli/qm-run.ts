/** What `cascade qm run` does: build a spec and a system from the options, calculate through the cache. */
import { readFileSync } from 'node:fs';
import { CalculationStopped, calculate } from '../activities/qm/calculate.js';
import { codeEntry } from '../activities/qm/codes/index.js';
import { lowestMultiplicity, parseXyz, smilesTo3D } from '../activities/qm/geometry.js';
import { type CalcSpec, isCrystal, type QmSystem } from '../activities/qm/template.js';
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
  let entry: ReturnType<typeof codeEntry>;
  try {
    entry = codeEntry(o.code);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  const system = await systemFrom(o, entry.system);
  const charge = o.charge ?? (isCrystal(system) ? 0 : system.charge);
  const spec: CalcSpec = {
    code: entry.code,
    method: o.method ?? entry.defaultMethod,
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
    const r = await calculate(
      { spec, system, timeoutSeconds: o.timeout, threads: o.threads },
      { signal: abort.signal },
    );
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
      wallSeconds: r.cached ? Number(r.record.provenance.wallSeconds ?? 0) : r.wallSeconds,
      cpuSeconds: r.cached ? Number(r.record.provenance.cpuSeconds ?? 0) : r.cpuSeconds,
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

async function systemFrom(o: QmRunOptions, kind: 'molecule' | 'crystal'): Promise<QmSystem> {
  const given = [o.xyz, o.smiles, o.structure].filter((x) => x !== undefined).length;
  if (given !== 1) throw new CliError('give exactly one of --xyz FILE, --smiles SMILES, --structure FILE', 2);
  if (kind === 'crystal') {
    if (!o.structure)
      throw new CliError(`${o.code} computes crystals: give --structure FILE (JSON or extended XYZ)`, 2);
    const { readCrystal } = await import('../activities/qm/structure.js');
    try {
      return readCrystal(readFileSync(o.structure, 'utf8'), o.structure);
    } catch (e) {
      throw new CliError((e as Error).message, 2);
    }
  }
  if (o.structure) throw new CliError(`${o.code} computes molecules: give --xyz FILE or --smiles SMILES`, 2);
  if (o.smiles) return smilesTo3D(o.smiles);
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
