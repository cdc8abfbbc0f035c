/**
 * 3D embedding of SMILES, reproducibly (XYZ text and canonical forms are in qm/molecule.ts).
 *
 * OpenChemLib's conformer generator with a fixed seed, then MMFF94s+, in-process (npm `openchemlib`, pure
 * JavaScript). Open Babel's `--gen3d`, used before, seeds its random numbers from the clock and has no option
 * to fix them (3.1.1 as packaged by Debian: every speed level, `dist` included, gave different coordinates run
 * to run), so the same SMILES gave different geometries and hence different campaigns in a fresh store.
 *
 * OpenChemLib keeps a process-wide cache of ring-fragment conformers, and which molecules filled it changes
 * the coordinates of later ones (measured: 16 of 40 NCI molecules differed between two orders, 2 of them by a
 * different conformer). Each embedding therefore runs in a fresh worker thread, where the cache starts empty:
 * the geometry is a function of the SMILES alone, on any worker, in any order. The price is a cold start per
 * molecule (about 0.5-2 s of CPU, off the event loop), paid once per SMILES: stored geometries are reused.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lowestMultiplicity } from '../../qm/molecule.js';
import type { Geometry } from '../../qm/template.js';
import { threadEntry } from '../ml/thread-entry.js';
import type { EmbedReply, EmbedRequest } from './embed-thread.js';

/** The seed of every embedding: geometries depend on the SMILES only, never on the campaign. */
const EMBEDDING_SEED = 20240601;
/** Conformers tried per molecule; the one with the lowest MMFF94s+ energy is kept. */
const CONFORMERS = 8;

/** OpenChemLib's version: part of the generator's name, since another version may place atoms differently. */
export const OPENCHEMLIB_VERSION: string = (() => {
  // the package exports no ./package.json: find it above its entry point
  const main = createRequire(import.meta.url).resolve('openchemlib');
  const file = join(dirname(main), '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
})();

/** What produced a geometry, as stored beside it: a new embedding gets a new name. */
export const EMBEDDING = `openchemlib-${OPENCHEMLIB_VERSION}-seed${EMBEDDING_SEED}-conf${CONFORMERS}-mmff94s+`;

const entry = threadEntry(
  new URL('./embed-thread.js', import.meta.url),
  new URL('./embed-thread.ts', import.meta.url),
);

/**
 * 3D coordinates (with hydrogens, angstrom) from SMILES. The formal charge is the sum of the atoms' charges;
 * the multiplicity is the lowest one the electron count allows (so triplet O2 or carbenes come out as
 * singlets, and a radical such as [CH3] as a doublet).
 */
export async function smilesTo3D(smiles: string, opts: { timeoutMs?: number } = {}): Promise<Geometry> {
  // Whitespace would end a SMILES in any file format; an empty string embeds nothing. OpenChemLib reads a
  // leading bond symbol ("-C") as if it were not there: refuse it rather than embed something else.
  if (!smiles || /[\s\0]/.test(smiles))
    throw new Error(`invalid SMILES ${JSON.stringify(smiles)}: empty or contains whitespace`);
  const fail = (why: string) => new Error(`could not embed SMILES ${JSON.stringify(smiles)} in 3D: ${why}`);
  if (/^[-=#$:/\\.~()%0-9]/.test(smiles)) throw fail(`it starts with "${smiles[0]}", not an atom`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const reply = await inFreshThread({ smiles, seed: EMBEDDING_SEED, conformers: CONFORMERS }, timeoutMs);
  if ('error' in reply) {
    // say it as Open Babel did, which users and tests know: "unmatched ring bonds"
    const ring = /dangling ring closure: (\d+)/.exec(reply.error);
    throw fail(ring ? `unmatched ring bonds (ring closure ${ring[1]} is never closed)` : reply.error);
  }
  const geom: Geometry = {
    symbols: reply.symbols,
    coords: reply.coords,
    charge: reply.charge,
    multiplicity: lowestMultiplicity(reply.symbols, reply.charge),
  };
  if (geom.symbols.length > 1 && geom.coords.every((c) => c.every((v) => v === 0)))
    throw fail('no 3D coordinates');
  return geom;
}

function inFreshThread(req: EmbedRequest, timeoutMs: number): Promise<EmbedReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.filename, { ...entry.options, workerData: req });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ error: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    worker.once('message', (m: EmbedReply) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(
        new Error(`could not embed SMILES ${JSON.stringify(req.smiles)}: the thread failed: ${e.message}`),
      );
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      // after a message or a timeout this settles nothing; otherwise the thread died without answering
      resolve({ error: `the embedding thread exited (code ${code}) without an answer` });
    });
  });
}
