/**
 * 3D embedding of SMILES with Open Babel (XYZ text and canonical forms are in qm/molecule.ts).
 */
import { execa } from 'execa';
import { parseXyz } from '../../qm/molecule.js';
import { resolveBinary } from '../../qm/profile.js';
import type { Geometry } from '../../qm/template.js';

/**
 * 3D coordinates (with hydrogens) from SMILES via `obabel -:SMILES -h --gen3d -oxyz`. Open Babel's
 * gen3d is stochastic: the same SMILES gives different (equally valid) conformers run to run, so
 * callers that need reproducibility must store the geometry, not the SMILES. The formal charge is
 * read from the formula Open Babel appends to the title (e.g. "C2H3O2-", "Fe+++"); the multiplicity
 * is the lowest one the electron count allows (so triplet O2 or carbenes come out as singlets).
 */
export async function smilesTo3D(smiles: string, opts: { timeoutMs?: number } = {}): Promise<Geometry> {
  // Whitespace would start Open Babel's title field; an empty string converts nothing. A leading '-' is
  // harmless: the SMILES travels inside the single argument "-:<smiles>", never as an option of its own.
  if (!smiles || /[\s\0]/.test(smiles))
    throw new Error(`invalid SMILES ${JSON.stringify(smiles)}: empty or contains whitespace`);
  const binary = await resolveBinary(process.env.CASCADE_OBABEL || 'obabel');
  const result = await execa(binary, [`-:${smiles}`, '-h', '--gen3d', '-oxyz', '--append', 'formula'], {
    reject: false,
    stdin: 'ignore',
    // Debian's Open Babel is built with OpenMP: two concurrent gen3d runs with default threads spin against
    // each other on 2 cores (measured: ethanol 0.06 s alone, 6-15 s beside another obabel). One thread each.
    env: { OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
    timeout: opts.timeoutMs ?? 60_000,
    forceKillAfterDelay: 2_000,
  });
  const fail = (why: string) =>
    new Error(`Open Babel could not embed SMILES ${JSON.stringify(smiles)}: ${why}`);
  if (result.timedOut) throw fail(`timed out after ${opts.timeoutMs ?? 60_000} ms`);
  // obabel exits 0 even when it converts nothing; the stdout and the "N molecules converted" line tell.
  const errors = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^=+$/.test(l) && !/molecules? converted$/.test(l));
  if (result.exitCode !== 0 || !result.stdout.trim())
    throw fail(errors.join(' ') || `exit code ${result.exitCode}`);
  const title = result.stdout.split('\n')[1]?.trim() ?? '';
  const tail = /([+-]+)$/.exec(title)?.[1] ?? '';
  const charge = tail === '' ? 0 : tail.startsWith('+') ? tail.length : -tail.length;
  let geom: Geometry;
  try {
    geom = parseXyz(result.stdout, { charge });
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (geom.symbols.length > 1 && geom.coords.every((c) => c.every((v) => v === 0)))
    throw fail('no 3D coordinates');
  return geom;
}
